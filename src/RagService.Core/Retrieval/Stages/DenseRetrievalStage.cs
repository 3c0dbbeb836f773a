using RagService.Core.Models;
using RagService.Core.Indexing;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Stages;

/// <summary>
/// Dense retrieval ("dense"): the query embedded and searched in the vector index. A broken vector index fails only
/// this stage, so BM25 still answers, except in mode dense where it is the only retriever.
/// </summary>
public sealed class DenseRetrievalStage(ITextEmbedder embedder, IVectorSearchIndex vectors) : IRetrievalStage
{
    public const string StageName = "dense";

    /// <summary>The stage without an embedding model: "off", and mode dense is refused.</summary>
    public static OffStage Off { get; } = new(StageName, "no embedding model configured", query => query.Mode == RetrievalMode.Dense
        ? "dense retrieval is off: no embedding model is configured (set Rag:Embedding:ModelDirectory)"
        : null);

    public string Name => StageName;

    public async Task<StageResult?> RunAsync(SearchContext context)
    {
        if (context.Calibration?.Calibration is { DenseOff: true } calibrated)
        {
            return StageResult.Off($"off for this collection by calibration: {calibrated.Reason}");
        }

        if (context.Query.Mode == RetrievalMode.Bm25)
        {
            return StageResult.Skipped("mode bm25");
        }

        try
        {
            var embedded = await embedder.EmbedAsync([context.Query.Query], EmbeddingPurpose.Query, context.CancellationToken);
            context.DenseHits = await vectors.SearchAsync(context.Collection, embedded[0], context.Candidates, context.Query.Filter, context.CancellationToken);
            return StageResult.Ok(context.DenseHits.Count, ModelDescription.Of(embedder.ModelId, embedder.ExecutionProvider), vectors.Engine);
        }
        catch (Exception e) when (e is not OperationCanceledException && context.Query.Mode != RetrievalMode.Dense)
        {
            return StageResult.Failed(e.Message);
        }
    }
}
