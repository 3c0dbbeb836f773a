using System.Diagnostics;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Core.Retrieval;

/// <summary>
/// The query path: analyze the question, retrieve candidates, and report every stage with its timing.
/// Stages that are not configured (dense retrieval or reranking without a model) are reported as "off", never silently skipped.
/// </summary>
public sealed class SearchService(IKnowledgeStore store, ITextAnalyzer analyzer)
{
    public async Task<SearchOutcome> SearchAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        if (query.Mode == RetrievalMode.Dense)
        {
            throw new StageUnavailableException("dense retrieval is off: no embedding model is configured (set Rag:Embedding:ModelDirectory)");
        }

        var total = Stopwatch.StartNew();
        var stages = new List<StageReport>();

        var sw = Stopwatch.StartNew();
        var terms = analyzer.AnalyzeQuery(query.Query);
        stages.Add(new StageReport("analyze", "ok", terms.Count, sw.Elapsed.TotalMilliseconds, $"{terms.Count} terms"));

        sw.Restart();
        var bm25 = await store.SearchBm25Async(collection, terms, Math.Max(query.Candidates, query.TopK), query.Filter, ct);
        stages.Add(new StageReport("bm25", "ok", bm25.Count, sw.Elapsed.TotalMilliseconds));
        stages.Add(new StageReport("dense", "off", 0, 0, "no embedding model configured"));
        stages.Add(new StageReport("fusion", "skipped", bm25.Count, 0, "one retriever"));
        stages.Add(new StageReport("rerank", "off", 0, 0, "no reranker model configured"));

        sw.Restart();
        var top = bm25.Take(query.TopK).ToList();
        var chunks = await store.GetChunksAsync(top.Select(h => h.ChunkId).ToList(), ct);
        var byId = chunks.ToDictionary(c => c.ChunkId);
        var hits = new List<SearchHit>(top.Count);
        for (var i = 0; i < top.Count; i++)
        {
            if (byId.TryGetValue(top[i].ChunkId, out var chunk))
            {
                hits.Add(new SearchHit(hits.Count + 1, top[i].Score, chunk, new HitProvenance(i + 1, top[i].Score, null, null, null, null)));
            }
        }

        stages.Add(new StageReport("fetch", "ok", hits.Count, sw.Elapsed.TotalMilliseconds));
        return new SearchOutcome(hits, stages, total.Elapsed.TotalMilliseconds);
    }
}
