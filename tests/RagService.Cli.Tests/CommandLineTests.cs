using System.Text.RegularExpressions;

namespace RagService.Cli.Tests;

/// <summary>
/// The rag command line as a user meets it: help per command, usage errors that name the option (exit 2), the version,
/// and plain output when stdout and stderr are not a terminal (CI logs), a live bar and tables when they are.
/// </summary>
public sealed class CommandLineTests
{
    private static string Rag => Path.Combine(AppContext.BaseDirectory, "rag.dll");

    private static string TinyQa => Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-qa.jsonl");

    /// <summary>Every option README and the old hand-written usage list for each command, with the defaults they state.</summary>
    [Theory]
    [InlineData("eval", "<FILE>", "--json --chunking --chunk-size --overlap --headers --analyzer --header-weight --bm25-engine --mode --embedding-model --reranker-model "
        + "--fusion --candidates --dense-weight --rrf-k --neighbour-window --neighbour-weight --embedding-cache --ranks --conversational",
        "--chunk-size <N>|[default: 200]", "--bm25-engine <E>|[default: memory]", "--candidates <N>|[default: 100]", "--rrf-k <K>|[default: 60]")]
    [InlineData("sync", "<DIR>", "--collection --prune --dry-run --yes --max-deletes --max-delete-share --create --url --api-key --full --idempotency-key --ext",
        "--max-deletes <N>|[default: 25]", "--max-delete-share <F>|[default: 0.5]", "--collection <NAME> (REQUIRED)|the collection")]
    public async Task Help_of_a_command_lists_every_option_with_its_default(string command, string argument, string options, params string[] optionLines)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Rag, [command, "--help"]);

        Assert.True(exit == 0, stderr);
        Assert.Contains($"rag {command} {argument} [options]", stdout, StringComparison.Ordinal);
        foreach (var option in options.Split(' '))
        {
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(option)}\b", RegexOptions.Multiline), stdout);
        }

        foreach (var line in optionLines)
        {
            var (start, text) = (line.Split('|')[0], line.Split('|')[1]);
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(start)}\s.*{Regex.Escape(text)}", RegexOptions.Multiline), stdout);
        }
    }

    [Fact]
    public async Task Help_of_rag_lists_every_command_and_rag_alone_prints_it_with_exit_2()
    {
        var (exit, stdout, _) = await CliProcess.RunAsync(Rag, ["--help"]);
        var (bareExit, bareStdout, _) = await CliProcess.RunAsync(Rag, []);

        Assert.Equal(0, exit);
        foreach (var command in new[] { "eval <FILE>", "sync <DIR>", "keys", "bench-search", "bench-bm25", "bench-scale", "bench-embed", "migrate-vectors", "migrate-store" })
        {
            Assert.Matches(new Regex($@"^\s+{Regex.Escape(command)}\s", RegexOptions.Multiline), stdout);
        }

        Assert.Contains("--version", stdout, StringComparison.Ordinal);
        Assert.Equal(2, bareExit);
        Assert.Equal(stdout, bareStdout);
    }

    [Theory]
    [InlineData("--chunk-sise", "300", "'--chunk-sise'")]
    [InlineData("--fusion", "reciprocal", "--fusion must be calibrated, weighted or rrf, not 'reciprocal'")]
    [InlineData("--dense-weight", "1.5", "--dense-weight must be from 0 to 1, not 1.5")]
    [InlineData("--candidates", "many", "--candidates")]
    public async Task A_misspelled_option_or_a_bad_value_exits_2_naming_the_option(string option, string value, string message)
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Rag, ["eval", TinyQa, option, value]);

        Assert.Equal(2, exit);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Contains("rag eval --help", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }

    [Fact]
    public async Task A_misspelled_sync_option_is_named_with_the_one_meant()
    {
        var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["sync", AppContext.BaseDirectory, "--collection", "kb", "--max-delete", "3"]);

        Assert.Equal(2, exit);
        Assert.Contains("'--max-delete'", stderr, StringComparison.Ordinal);
        Assert.Contains("--max-deletes", stderr.Replace("'--max-delete'", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--version")]
    [InlineData("version")]
    public async Task The_version_is_rag_and_the_version_without_the_commit(string argument)
    {
        var (exit, stdout, _) = await CliProcess.RunAsync(Rag, [argument]);

        Assert.Equal(0, exit);
        Assert.Matches(@"^rag \d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?\n$", stdout);
    }

    /// <summary>Redirected (as in CI): one progress line per tenth, the plain fixed-width table, no cursor movement or colour.</summary>
    [Fact]
    public async Task Progress_and_the_report_are_plain_lines_when_output_is_not_a_terminal()
    {
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Rag, ["eval", TinyQa]);

        Assert.True(exit == 0, stderr);
        Assert.Equal(["eval: indexing 1/5", "eval: indexing 2/5", "eval: indexing 3/5", "eval: indexing 4/5", "eval: indexing 5/5"],
            stderr.Split('\n').Where(l => l.StartsWith("eval: ", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" (", StringComparison.Ordinal)]));
        Assert.Contains("mode             R@1    R@5   R@20 MRR@10 Fail@20\nbm25            0.500  0.750  0.750  0.625   0.250", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', stdout + stderr);
        Assert.DoesNotContain('\r', stdout + stderr);
    }

    /// <summary>
    /// On a terminal (a pseudo-terminal from util-linux `script`): a Spectre.Console bar with the time left, and the
    /// metrics in a bordered table (ranks of tiny-qa: see <see cref="EvalCommandTests"/>).
    /// </summary>
    [SkippableFact]
    public async Task On_a_terminal_progress_is_a_live_bar_and_the_metrics_a_table()
    {
        Skip.IfNot(File.Exists("/usr/bin/script"), "util-linux script is not installed (no pseudo-terminal to run rag in)");
        var (exit, output, _) = await CliProcess.RunProgramAsync("/usr/bin/script",
            ["-qec", $"dotnet '{Rag}' eval '{TinyQa}'", "/dev/null"], new Dictionary<string, string> { ["TERM"] = "xterm-256color" });

        Assert.True(exit == 0, output);
        Assert.Contains("\u001b[", output, StringComparison.Ordinal);          // the bar redraws in place
        Assert.Matches(@"eval: indexing 5/5 .*100%.*00:00:0\d", output);   // the last frame: count, percentage, time left
        Assert.Matches(@"│ bm25 │ 0\.500 │ 0\.750 │ 0\.750 │\s+0\.625 │\s+0\.250 │", output);
    }
}
