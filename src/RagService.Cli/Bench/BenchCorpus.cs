using System.Diagnostics;
using RagService.Core.Chunking;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Storage.Sqlite;

namespace RagService.Cli.Bench;

/// <summary>
/// The synthetic chunks a bench fills a store with, reproducible from seed 7: Chinese-like chunks, every
/// <see cref="EnglishEvery"/>-th one English-like instead (0: none), each with a random unit vector of
/// <see cref="VectorDimension"/> floats (0: none), stored in documents of <see cref="ChunksPerDocument"/> chunks in one
/// collection named "bench". Queries are pieces of the first 10,000 chunks (seed 11), so every run asks the same ones.
/// </summary>
internal sealed record BenchCorpus(int Chunks, int ChunksPerDocument, int EnglishEvery = 0, int VectorDimension = 0)
{
    public const string CollectionName = "bench";

    private const int QuerySourceChunks = 10_000;

    /// <summary>The chunks in fill order (the store gives them ascending ids in this order).</summary>
    public IEnumerable<(string Text, float[]? Vector)> Generate(int count)
    {
        var corpus = new SyntheticCorpus(seed: 7);
        for (var i = 0; i < count; i++)
        {
            var text = EnglishEvery > 0 && i % EnglishEvery == EnglishEvery - 1 ? corpus.EnglishChunk() : corpus.Chunk();
            yield return (text, VectorDimension > 0 ? corpus.UnitVector(VectorDimension) : null);
        }
    }

    public List<string> Queries(int count)
    {
        var texts = Generate(Math.Min(Chunks, QuerySourceChunks)).Select(c => c.Text).ToList();
        var picker = new SyntheticCorpus(seed: 11);
        return Enumerable.Range(0, count).Select(_ => picker.QueryFrom(texts)).ToList();
    }

    /// <summary>A new store at <paramref name="db"/> (no engine attached) holding the chunks; prints the fill rate.</summary>
    public async Task FillAsync(string db, ITextAnalyzer analyzer)
    {
        var sw = Stopwatch.StartNew();
        var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        var store = new SqliteKnowledgeStore(new SqliteStoreOptions { DatabasePath = db });
        var collection = await store.CreateCollectionAsync(CollectionName, new CollectionSettings { Analyzer = analyzer.Signature }, CancellationToken.None);
        var document = 0;
        foreach (var batch in Generate(Chunks).Chunk(ChunksPerDocument))
        {
            var chunks = batch.Select((c, k) => new IndexedChunk(new Chunk(k, c.Text, [], null), analyzer.Analyze(c.Text), [], c.Vector)).ToList();
            await store.UpsertDocumentAsync(collection, new DocumentWrite($"doc-{document}", null, $"h{document}", "text", new Dictionary<string, string>(), chunks),
                CancellationToken.None);
            document++;
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        Console.WriteLine($"filled {db} with {Chunks} chunks in {sw.Elapsed.TotalSeconds:0} s wall, {cpu.TotalSeconds:0} CPU s " +
            $"({Chunks / sw.Elapsed.TotalSeconds:0} chunks/s wall)");
    }
}
