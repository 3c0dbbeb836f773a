using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace RagService.Api.Tests.Sync;

/// <summary>The built service as a real child process (dotnet RagService.Api.dll), so a test can SIGKILL it.</summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, HttpClient client)
    {
        _process = process;
        Client = client;
    }

    public HttpClient Client { get; }

    public int ProcessId => _process.Id;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// The first output line that <paramref name="match"/> accepts, waiting up to <paramref name="limit"/> for it: the
    /// service writes a log line through its console sink, which may reach the pipe after the response it belongs to.
    /// </summary>
    public async Task<string?> OutputLineAsync(Func<string, bool> match, TimeSpan limit)
    {
        var until = DateTime.UtcNow + limit;
        while (true)
        {
            var line = Output.Split('\n').FirstOrDefault(match);
            if (line is not null || DateTime.UtcNow > until || _process.HasExited)
            {
                return line;
            }

            await Task.Delay(50);
        }
    }

    /// <param name="settings">More arguments, e.g. "--Rag:Bm25Engine=lucene".</param>
    public static async Task<ServiceProcess> StartAsync(string databasePath, params string[] settings)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "RagService.Api.dll");
        Assert.True(File.Exists(Path.ChangeExtension(dll, ".runtimeconfig.json")), "the service's runtimeconfig is not beside the tests");
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", $"http://127.0.0.1:{port}", $"--Rag:DatabasePath={databasePath}", "--Serilog:MinimumLevel:Default=Warning",
            $"--Rag:Auth:BootstrapKey={ServiceHost.BootstrapKey}" }.Concat(settings))
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ServiceHost.BootstrapKey);
        var service = new ServiceProcess(process, client);
        process.OutputDataReceived += (_, e) => service.Append(e.Data);
        process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilLiveAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.WaitForExit();
    }

    /// <summary>SIGTERM: the graceful shutdown path. Returns the exit code.</summary>
    public int Terminate()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), "the service did not stop after SIGTERM:\n" + Output);
        return _process.ExitCode;
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        Client.Dispose();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilLiveAsync()
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (true)
        {
            Assert.False(_process.HasExited, "the service exited at start:\n" + Output);
            try
            {
                if ((await Client.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            Assert.True(DateTime.UtcNow < deadline, "the service did not start:\n" + Output);
            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
