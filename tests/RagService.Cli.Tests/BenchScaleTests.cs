using Microsoft.Data.Sqlite;
using RagService.Api.Tests;
using RagService.Core.Text;

namespace RagService.Cli.Tests;

/// <summary>
/// `rag bench-scale --step anchor`, what bench/million.sh hands Java Lucene: every stored chunk's terms exactly as our
/// analyzer makes them from the stored text, and our BM25 top 100 per query, which with header weight 0 must be textbook
/// BM25 (k1 1.2, b 0.75, exact lengths) over those terms, the ranking the Lucene side is compared against. The oracle
/// reads the chunk texts from the SQLite file itself and scores with its own BM25.
/// </summary>
public sealed class BenchScaleTests : IDisposable
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    private readonly string _dir = Directory.CreateTempSubdirectory("rag-bench-scale-").FullName;

    private static string Rag => Path.Combine(AppContext.BaseDirectory, "rag.dll");

    [Fact]
    public async Task The_anchor_export_holds_each_stored_chunks_analyzed_terms_and_textbook_bm25_top_tens()
    {
        var db = Path.Combine(_dir, "store.db");
        var anchor = Path.Combine(_dir, "anchor");
        string[] bench = ["bench-scale", "--db", db, "--chunks", "400", "--embedding-model", TestModelDirectories.Embedder];

        var prepare = await CliProcess.RunAsync(Rag, [.. bench, "--step", "prepare"]);
        Assert.True(prepare.ExitCode == 0, prepare.Stderr);
        var export = await CliProcess.RunAsync(Rag, [.. bench, "--step", "anchor", "--anchor-dir", anchor, "--anchor-queries", "40"]);
        Assert.True(export.ExitCode == 0, export.Stderr);

        var analyzer = new MixedScriptAnalyzer();
        var stored = StoredTexts(db).ToDictionary(c => c.Id, c => analyzer.Analyze(c.Text).ToArray());
        Assert.Equal(400, stored.Count);
        Assert.Contains(stored.Values, terms => terms.Any(t => t.All(char.IsAsciiLetter)));
        var exported = File.ReadAllLines(Path.Combine(anchor, "chunks.tsv")).Select(Row).ToList();
        Assert.Equal(stored.Keys.Order(), exported.Select(r => r.Key));
        Assert.All(exported, r => Assert.Equal(stored[r.Key], r.Terms));

        var queries = File.ReadAllLines(Path.Combine(anchor, "queries.tsv")).Select(Row).ToDictionary(r => r.Key, r => r.Terms);
        var ours = File.ReadAllLines(Path.Combine(anchor, "ours.tsv")).Select(Row).ToDictionary(r => r.Key, r => r.Terms.Select(long.Parse).ToArray());
        Assert.Equal(40, ours.Count);
        Assert.True(ours.Values.Count(ids => ids.Length >= 10) >= 30, "most queries should match at least ten chunks");
        foreach (var (query, terms) in queries)
        {
            var scores = TextbookBm25(stored, terms);
            var expected = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key).Take(10).ToList();
            var got = ours[query].Take(10).ToList();
            Assert.Equal(expected.Count, got.Count);
            for (var rank = 0; rank < got.Count; rank++)
            {
                // Scores, not ids, rank by rank: chunks with equal scores may come in either order.
                Assert.Equal(expected[rank].Value, scores.GetValueOrDefault(got[rank]), 9);
            }
        }
    }

    [Fact]
    public async Task A_mode_step_on_a_missing_store_says_to_prepare_it_first()
    {
        var db = Path.Combine(_dir, "missing.db");

        var (exit, _, stderr) = await CliProcess.RunAsync(Rag, ["bench-scale", "--step", "bm25", "--db", db, "--embedding-model", TestModelDirectories.Embedder]);

        Assert.NotEqual(0, exit);
        Assert.Contains("run --step prepare first", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(db));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static (long Key, string[] Terms) Row(string line)
    {
        var (key, rest) = (line[..line.IndexOf('\t')], line[(line.IndexOf('\t') + 1)..]);
        return (long.Parse(key), rest.Length == 0 ? [] : rest.Split(' '));
    }

    private static IEnumerable<(long Id, string Text)> StoredTexts(string db)
    {
        using var connection = new SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, text FROM chunks";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), reader.GetString(1));
        }
    }

    /// <summary>Σ over query terms (repeats count) of ln(1 + (N − n + 0.5)/(n + 0.5)) · tf / (tf + k1 (1 − b + b · len / avglen)).</summary>
    private static Dictionary<long, double> TextbookBm25(Dictionary<long, string[]> chunks, string[] query)
    {
        var averageLength = chunks.Values.Average(t => t.Length);
        var scores = new Dictionary<long, double>();
        foreach (var term in query)
        {
            var having = chunks.Where(c => c.Value.Contains(term)).ToList();
            var idf = Math.Log(1 + (chunks.Count - having.Count + 0.5) / (having.Count + 0.5));
            foreach (var (id, terms) in having)
            {
                var tf = terms.Count(t => t == term);
                scores[id] = scores.GetValueOrDefault(id) + idf * tf / (tf + K1 * (1 - B + B * terms.Length / averageLength));
            }
        }

        return scores;
    }
}
