using RagService.Core.Documents;
using RagService.Extraction.Processes;

namespace RagService.Extraction.Tests;

public class ChildProcessRunnerTests
{
    [Fact]
    public async Task Memory_limit_is_applied_to_the_child()
    {
        var runner = new ChildProcessRunner(new ExtractionOptions { ChildProcessMemoryLimitBytes = 256L * 1024 * 1024 });

        var result = await runner.RunAsync("sh", ["-c", "ulimit -v"], TimeSpan.FromSeconds(10), "sh", "PdfTimeout", CancellationToken.None);

        Assert.Equal((256 * 1024).ToString(), result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Child_runs_in_its_own_process_group()
    {
        var runner = new ChildProcessRunner(new ExtractionOptions());

        var result = await runner.RunAsync("sh", ["-c", "echo $$; cut -d' ' -f5 /proc/$$/stat"], TimeSpan.FromSeconds(10), "sh", "PdfTimeout", CancellationToken.None);

        var lines = result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(lines[0], lines[1]);
    }

    [Fact]
    public async Task Endless_output_is_cut_off_as_too_large()
    {
        var runner = new ChildProcessRunner(new ExtractionOptions { MaxExtractedChars = 100_000 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() =>
            runner.RunAsync("yes", ["spam"], TimeSpan.FromSeconds(20), "yes", "PdfTimeout", CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
    }

    [Fact]
    public async Task Missing_tool_is_a_server_error_not_a_user_error()
    {
        var runner = new ChildProcessRunner(new ExtractionOptions());

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            runner.RunAsync("/nonexistent/pdftotext", [], TimeSpan.FromSeconds(5), "pdftotext", "PdfTimeout", CancellationToken.None));

        Assert.Contains("deploy/setup.sh", ex.Message);
    }

    [Fact]
    public async Task Concurrent_runs_are_limited()
    {
        var runner = new ChildProcessRunner(new ExtractionOptions { MaxConcurrentChildProcesses = 1 });
        var dir = Directory.CreateTempSubdirectory("rag-slots-").FullName;
        try
        {
            // Each run appends "start" then "end"; with one slot the two runs never interleave.
            var script = $"echo start >> {dir}/log; sleep 0.3; echo end >> {dir}/log";
            await Task.WhenAll(
                runner.RunAsync("sh", ["-c", script], TimeSpan.FromSeconds(10), "sh", "PdfTimeout", CancellationToken.None),
                runner.RunAsync("sh", ["-c", script], TimeSpan.FromSeconds(10), "sh", "PdfTimeout", CancellationToken.None));

            Assert.Equal(["start", "end", "start", "end"], File.ReadAllLines(Path.Combine(dir, "log")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
