using System.Text.Json;

namespace RagService.Cli.Tests;

/// <summary>`rag eval` as a user runs it, on a QA file whose BM25 ranks follow from term overlap alone.</summary>
public sealed class EvalCommandTests
{
    /// <summary>
    /// Fixtures/tiny-qa.jsonl: five one-sentence passages (one chunk each), four questions.
    /// "zorblat capital" and "snorkel price" match only their answer's passage: rank 1.
    /// "mirnoth festival date" matches all three terms in the 5-word "...festival date moved." (no answer) and only
    /// "mirnoth" in the 6-word passage with "Octember": the answer is at rank 2.
    /// "vextral color": the only "vextral" passage lacks "purple", and no passage has it: a miss (rank 0).
    /// Ranks 1, 2, 0, 1: recall@1 0.5, recall@5 0.75, recall@20 0.75, MRR@10 (1 + 1/2 + 0 + 1) / 4 = 0.625, failure@20 0.25.
    /// </summary>
    [Fact]
    public async Task Reports_hand_computed_metrics_for_a_tiny_qa_file()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "tiny-qa.jsonl");
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "rag.dll"), ["eval", file, "--json"]);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        Assert.Equal(4, r.GetProperty("questions").GetInt32());
        Assert.Equal(5, r.GetProperty("passages").GetInt32());
        Assert.Equal(5, r.GetProperty("chunks").GetInt32());
        Assert.Equal(0.5, r.GetProperty("recall@1").GetDouble());
        Assert.Equal(0.75, r.GetProperty("recall@5").GetDouble());
        Assert.Equal(0.75, r.GetProperty("recall@20").GetDouble());
        Assert.Equal(0.625, r.GetProperty("mrr@10").GetDouble());
        Assert.Equal(0.25, r.GetProperty("failure@20").GetDouble());
        Assert.Equal(3, r.GetProperty("answer_intact_questions").GetInt32()); // "purple" is in no chunk
    }

    /// <summary>
    /// Fixtures/straddle-qa.jsonl: one 69-character sentence cut into chunks of at most 40 characters on a word boundary,
    /// "The peace treaty was signed in Paris in " | "September 1783 by both sides.": the answer "Paris in September"
    /// is in no chunk, so no rank and no sources block of hits as retrieved holds it (0), while the assembled context grows
    /// the hit into its neighbour and holds the whole sentence (1), at characters / 4 without a model: ceil(69 / 4) = 18 tokens.
    /// </summary>
    [Fact]
    public async Task Context_budget_reports_an_answer_straddling_two_chunks_inside_the_assembled_sources_only()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "straddle-qa.jsonl");
        var (exit, stdout, stderr) = await CliProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "rag.dll"),
            ["eval", file, "--json", "--chunk-size", "40", "--context-budget", "50,1000", "--context-hits", "1"]);

        Assert.True(exit == 0, $"exit {exit}\n{stdout}\n{stderr}");
        using var json = JsonDocument.Parse(stdout);
        var r = json.RootElement;
        Assert.Equal(0, r.GetProperty("answer_intact_questions").GetInt32());
        Assert.Equal(0.0, r.GetProperty("recall@5").GetDouble());
        var context = r.GetProperty("context");
        Assert.Equal("characters / 4", context.GetProperty("counter").GetString());
        foreach (var budget in new[] { "50", "1000" })
        {
            var at = context.GetProperty("modes").GetProperty("bm25").GetProperty("1").GetProperty(budget);
            Assert.Equal(0.0, at.GetProperty("today").GetProperty("context_recall").GetDouble());
            Assert.Equal(10.0, at.GetProperty("today").GetProperty("mean_tokens").GetDouble());
            Assert.Equal(1.0, at.GetProperty("assembled").GetProperty("context_recall").GetDouble());
            Assert.Equal(18.0, at.GetProperty("assembled").GetProperty("mean_tokens").GetDouble());
            Assert.Equal(1.0, at.GetProperty("assembled").GetProperty("mean_sources").GetDouble());
        }
    }

    [Theory]
    [InlineData("0")]
    [InlineData("500,abc")]
    [InlineData("10")]
    public async Task A_bad_context_budget_is_refused_naming_the_option(string value)
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "straddle-qa.jsonl");
        var (exit, _, stderr) = await CliProcess.RunAsync(Path.Combine(AppContext.BaseDirectory, "rag.dll"), ["eval", file, "--context-budget", value]);
        Assert.NotEqual(0, exit);
        Assert.Contains("--context-budget", stderr);
    }
}
