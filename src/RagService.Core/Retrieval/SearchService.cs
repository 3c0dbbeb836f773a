using System.Diagnostics;
using RagService.Core.Diagnostics;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Retrieval.Stages;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval;

/// <summary>
/// The query path as a pipeline of stages (<see cref="SearchPipelineRegistration"/> composes it): look up the fusion
/// calibration; run BM25 and dense retrieval in parallel; fuse them and re-rank the fused list with each candidate's
/// neighbourhood; rerank the top-N with the cross-encoder; fetch and highlight the top K; judge the lexical floor.
/// Every stage is reported with its candidates and milliseconds; a stage without a model reports "off", never silently skipped.
/// The hits' chunks are read through <see cref="HitChunkSource"/> (the chunk cache, and this replica's local copy while the store is unreachable).
/// </summary>
public sealed class SearchService(IKnowledgeStore store, SearchPipeline pipeline, HitChunkSource? chunks = null)
{
    public bool DenseAvailable => pipeline.IsOn(DenseRetrievalStage.StageName);

    public bool RerankAvailable => pipeline.IsOn(RerankStage.StageName);

    public async Task<SearchOutcome> SearchAsync(CollectionInfo collection, SearchQuery query, CancellationToken ct)
    {
        pipeline.Admit(query);
        using var activity = RagTelemetry.Source.StartActivity("rag.search");
        activity?.SetTag("rag.collection", collection.Name);
        var startedAt = DateTimeOffset.UtcNow;
        var total = Stopwatch.StartNew();
        var context = new SearchContext(store, collection, query, ct, chunks);
        var stages = await pipeline.RunAsync(context);
        RagTelemetry.RecordStages(stages, startedAt);
        return new SearchOutcome(context.Hits(), stages, total.Elapsed.TotalMilliseconds, context.RanMode, context.NothingSpecificMatched)
        {
            Candidates = context.Ranked.Select(r => new CandidateTrace(r.Id, context.Provenance[r.Id])).ToList(),
        };
    }
}
