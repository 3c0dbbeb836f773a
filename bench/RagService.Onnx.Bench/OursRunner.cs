using System.Diagnostics;
using RagService.Onnx.Runtime;

namespace RagService.Onnx.Bench;

/// <summary>The C# side: the same inputs as the Node script, fresh OrtValues every call (created inside Run).</summary>
internal sealed class OursRunner
{
    private readonly OnnxSession _session;
    private readonly TensorInput[] _inputs;
    private float _checksum;

    public OursRunner(OnnxSession session, BenchModel spec)
    {
        _session = session;
        var size = spec.Batch * spec.Sequence;
        var ids = new long[size];
        for (var i = 0; i < size; i++)
        {
            ids[i] = ((i * 7919L) + 13) % spec.Vocab;
        }

        long[] shape = [spec.Batch, spec.Sequence];
        var mask = Enumerable.Repeat(1L, size).ToArray();
        _inputs = spec.WithTypes
            ? [new("input_ids", ids, shape), new("attention_mask", mask, shape), new("token_type_ids", new long[size], shape)]
            : [new("input_ids", ids, shape), new("attention_mask", mask, shape)];
    }

    public Measurement Iterations(int count) => Measure(calls => calls < count);

    public Measurement ForSeconds(double seconds)
    {
        var end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        return Measure(_ => Stopwatch.GetTimestamp() < end);
    }

    private Measurement Measure(Func<int, bool> keepGoing)
    {
        using var self = Process.GetCurrentProcess();
        var cpu0 = self.TotalProcessorTime;
        var t0 = Stopwatch.GetTimestamp();
        var calls = 0;
        for (; keepGoing(calls); calls++)
        {
            _checksum += _session.Run(_inputs, "last_hidden_state").Data[0];
        }

        var wall = Stopwatch.GetElapsedTime(t0).TotalSeconds;
        self.Refresh();
        return new Measurement(calls, wall, (self.TotalProcessorTime - cpu0).TotalSeconds);
    }

    public float Checksum => _checksum;
}
