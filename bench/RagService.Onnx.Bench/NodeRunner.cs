using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RagService.Onnx.Bench;

/// <summary>Drives bench/ort-node-bench.js: one Node process per model, one JSON request/response per measurement.</summary>
internal sealed class NodeRunner : IDisposable
{
    private readonly Process _process;

    public NodeRunner(string script, string model, BenchModel spec, int threads, bool noSpin)
    {
        var psi = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var arg in new[]
                 {
                     script, model, spec.Batch.ToString(CultureInfo.InvariantCulture), spec.Sequence.ToString(CultureInfo.InvariantCulture),
                     spec.Vocab.ToString(CultureInfo.InvariantCulture), spec.WithTypes ? "1" : "0", threads.ToString(CultureInfo.InvariantCulture), noSpin ? "nospin" : "spin",
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start node");
        using var ready = JsonDocument.Parse(ReadLine());
        Version = ready.RootElement.GetProperty("version").GetString() ?? "?";
    }

    public string Version { get; }

    public Measurement Run(string request)
    {
        _process.StandardInput.WriteLine(request);
        _process.StandardInput.Flush();
        using var result = JsonDocument.Parse(ReadLine());
        var r = result.RootElement;
        return new Measurement(r.GetProperty("calls").GetInt32(), r.GetProperty("wall").GetDouble(), r.GetProperty("cpu").GetDouble());
    }

    private string ReadLine() =>
        _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("ort-node-bench.js exited early (see its stderr)");

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill();
        }

        _process.Dispose();
    }
}
