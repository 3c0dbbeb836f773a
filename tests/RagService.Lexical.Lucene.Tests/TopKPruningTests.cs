using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Lexical.Memory;

namespace RagService.Lexical.Lucene.Tests;

/// <summary>
/// The Lucene engine's pruned top-k search (MaxScore over per-term bounds, Bm25FTopK) and the memory engine's (which scores
/// every posting) against exhaustive BM25F scoring written out here:
/// every live chunk holding a query term scored, all of them sorted. 10,000 random queries over one synthetic collection
/// with a skewed term distribution (a few terms in most chunks, most terms rare), lengths from 1 to 120, headers on a third
/// of the chunks, a tenth deleted, a third of the queries with a visible set, repeated and unknown query terms, several
/// k and three parameter sets (header weight 4, header weight 0, other k1/b). The top k must be the same chunks in the same
/// order (ties by chunk id) with the same scores.
/// </summary>
public sealed class TopKPruningTests
{
    private const int Chunks = 3000;
    private const int Vocabulary = 500;
    private const int Queries = 10_000;

    private static readonly Bm25Parameters[] ParameterSets =
    [
        new() { K1 = 1.2, B = 0.75, HeaderWeight = 4 },
        new() { K1 = 1.2, B = 0.75, HeaderWeight = 0 },
        new() { K1 = 0.8, B = 0.3, HeaderWeight = 2 },
    ];

    [Fact]
    public void Pruned_top_k_equals_exhaustive_scoring_on_random_queries()
    {
        var random = new Random(29);
        var chunks = Enumerable.Range(1, Chunks).Select(id => RandomChunk(random, id)).ToList();
        var deleted = chunks.Where(_ => random.NextDouble() < 0.1).Select(c => c.ChunkId).ToHashSet();
        var live = chunks.Where(c => !deleted.Contains(c.ChunkId)).ToList();
        var oracle = new ExhaustiveBm25F(live);

        using var memory = new LexicalIndex();
        foreach (var c in chunks)
        {
            memory.Add(c.ChunkId, c.BodyTerms, c.HeaderTerms);
        }

        foreach (var id in deleted)
        {
            memory.Remove(id);
        }

        using var directory = new RAMDirectory();
        using var reader = BuildLucene(directory, chunks, deleted);
        Assert.True(reader.Leaves.Count > 1, "several segments, so bounds and the threshold cross segment boundaries");
        var stats = ReaderStats.Compute(reader);

        var compared = 0;
        for (var q = 0; q < Queries; q++)
        {
            var terms = Enumerable.Range(0, random.Next(1, 13)).Select(_ => random.NextDouble() < 0.05 ? "unknown" : Term(random)).ToList();
            var k = new[] { 1, 3, 10, 50 }[random.Next(4)];
            var p = ParameterSets[q % ParameterSets.Length];
            HashSet<long>? visible = random.NextDouble() < 0.33
                ? chunks.Where(_ => random.NextDouble() < 0.5).Select(c => c.ChunkId).ToHashSet()
                : null;

            var expected = oracle.Search(terms, k, p, visible);
            var fromMemory = memory.Search(terms, k, p, visible is null ? null : visible.Contains);
            var fromLucene = Bm25FScorer.Search(reader, stats, terms, k, p, null, visible).Select(h => (h.ChunkId, h.Score)).ToList();
            AssertSame(expected, fromMemory, $"memory, query {q} [{string.Join(' ', terms)}] k={k} {p}");
            AssertSame(expected, fromLucene, $"lucene, query {q} [{string.Join(' ', terms)}] k={k} {p}");
            compared += expected.Count;
        }

        Assert.True(compared > Queries * 5, $"the queries found hits ({compared} compared)");
    }

    private static void AssertSame(IReadOnlyList<(long Id, double Score)> expected, IReadOnlyList<(long Id, double Score)> actual, string what)
    {
        Assert.True(expected.Select(e => e.Id).SequenceEqual(actual.Select(a => a.Id)),
            $"{what}: expected [{string.Join(", ", expected.Select(e => $"{e.Id}:{e.Score:0.######}"))}] got [{string.Join(", ", actual.Select(a => $"{a.Id}:{a.Score:0.######}"))}]");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i].Score - actual[i].Score) <= 1e-5, $"{what}: rank {i} score {actual[i].Score}, expected {expected[i].Score}");
        }
    }

    /// <summary>Term i with probability falling steeply with i: "t0" lands in most chunks, "t400" in a handful.</summary>
    private static string Term(Random random) => "t" + ((int)(Vocabulary * Math.Pow(random.NextDouble(), 3))).ToString(CultureInfo.InvariantCulture);

    private static IndexEntry RandomChunk(Random random, long id)
    {
        var length = random.NextDouble() < 0.1 ? random.Next(1, 4) : random.Next(4, 121);
        var body = Enumerable.Range(0, length).Select(_ => Term(random)).ToList();
        var header = random.NextDouble() < 0.33 ? Enumerable.Range(0, random.Next(1, 7)).Select(_ => Term(random)).ToList() : [];
        return new IndexEntry(id, "", body, header);
    }

    /// <summary>The chunks in a Lucene index of several segments (a commit every 400 chunks, merges off), deletions applied.</summary>
    private static DirectoryReader BuildLucene(RAMDirectory directory, List<IndexEntry> chunks, HashSet<long> deleted)
    {
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer()) { MergePolicy = NoMergePolicy.COMPOUND_FILES };
        using var writer = new IndexWriter(directory, config);
        foreach (var c in chunks)
        {
            writer.AddDocument(LuceneCollectionIndex.ToDocument(c));
            if (c.ChunkId % 400 == 0)
            {
                writer.Commit();
            }
        }

        foreach (var id in deleted)
        {
            writer.DeleteDocuments(new Term(LuceneCollectionIndex.IdField, id.ToString(CultureInfo.InvariantCulture)));
        }

        writer.Commit();
        return DirectoryReader.Open(directory);
    }

    /// <summary>
    /// BM25F by scoring every live chunk that holds a query term: tf = body tf + w × header tf, idf·tf / (tf + k1 (1 − b + b·len/avgdl))
    /// per distinct query term (times its repeats), n = live chunks holding the term in either field; summed in query-term order.
    /// </summary>
    private sealed class ExhaustiveBm25F(List<IndexEntry> live)
    {
        private readonly double _averageLength = live.Average(c => (double)(c.BodyTerms.Count + c.HeaderTerms.Count));

        // Each term's holders: (chunk, body tf, header tf, length).
        private readonly ILookup<string, (long Id, int Body, int Header, int Length)> _holders = live
            .SelectMany(c => c.BodyTerms.Concat(c.HeaderTerms).Distinct().Select(t =>
                (Term: t, Holder: (c.ChunkId, c.BodyTerms.Count(b => b == t), c.HeaderTerms.Count(h => h == t), c.BodyTerms.Count + c.HeaderTerms.Count))))
            .ToLookup(x => x.Term, x => x.Holder);

        public List<(long Id, double Score)> Search(List<string> terms, int k, Bm25Parameters p, HashSet<long>? visible)
        {
            var scores = new Dictionary<long, double>();
            foreach (var group in terms.GroupBy(t => t))
            {
                var holders = _holders[group.Key].ToList();
                if (holders.Count == 0)
                {
                    continue;
                }

                var idf = Math.Log(1 + (live.Count - holders.Count + 0.5) / (holders.Count + 0.5));
                foreach (var c in holders)
                {
                    var tf = c.Body + p.HeaderWeight * c.Header;
                    if (tf > 0)
                    {
                        var norm = p.K1 * (1 - p.B + p.B * c.Length / _averageLength);
                        scores[c.Id] = scores.GetValueOrDefault(c.Id) + group.Count() * idf * tf / (tf + norm);
                    }
                }
            }

            return scores.Where(s => visible is null || visible.Contains(s.Key))
                .OrderByDescending(s => s.Value).ThenBy(s => s.Key).Take(k).Select(s => (s.Key, s.Value)).ToList();
        }
    }
}
