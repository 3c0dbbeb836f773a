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
}
