using RagService.Core.Access;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Chunking;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Security;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Api.Endpoints;

internal sealed class CollectionEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/collections").WithTags("Collections");

        group.MapPost("/", async (CreateCollectionRequest body, IKnowledgeStore store, AnalyzerCatalog analyzers, IngestionService ingestion, IOptions<RagOptions> options,
            RequestMapping map, HttpContext http, CancellationToken ct) =>
        {
            var name = RequestMapping.ValidCollectionName(body.Name);
            CallerScope.Demand(http, name);
            var defaults = options.Value.Chunking;
            var mode = body.Chunking?.Trim().ToLowerInvariant() switch
            {
                null or "" or "structured" => ChunkingMode.Structured,
                "sentence-pack" => ChunkingMode.SentencePack,
                var other => throw ApiProblemException.BadRequest($"'chunking' must be \"structured\" or \"sentence-pack\", not \"{InputEcho.Of(other)}\""),
            };
            var chunking = new ChunkingOptions
            {
                Mode = mode,
                MaxSize = body.ChunkSize ?? defaults.MaxSize,
                Overlap = body.ChunkOverlap ?? (mode == ChunkingMode.SentencePack ? 0 : defaults.Overlap),
            };
            try
            {
                chunking.Validate();
            }
            catch (ArgumentOutOfRangeException e)
            {
                throw ApiProblemException.BadRequest(e.Message.Split(Environment.NewLine)[0]);
            }

            var settings = new CollectionSettings
            {
                Chunking = chunking,
                ContextualHeaders = body.ContextualHeaders ?? defaults.ContextualHeaders,
                LlmContext = body.LlmContext == true && (ingestion.LlmContextAvailable
                    ? true
                    : throw ApiProblemException.BadRequest("'llmContext' needs an LLM: set RAG_LLM_URL (Llm:Url)")),
                Analyzer = (analyzers.Named(body.Analyzer?.Trim().ToLowerInvariant() ?? analyzers.DefaultName)
                    ?? throw ApiProblemException.BadRequest($"'analyzer' must be one of {string.Join(", ", analyzers.Names.Select(n => $"\"{n}\""))}, not \"{body.Analyzer}\"")).Signature,
                UnlistedAccess = body.UnlistedAccess?.Trim().ToLowerInvariant() switch
                {
                    null or "" or "open" => UnlistedAccess.Open,
                    "closed" => UnlistedAccess.Closed,
                    var other => throw ApiProblemException.BadRequest($"'unlistedAccess' must be \"open\" or \"closed\", not \"{InputEcho.Of(other)}\""),
                },
                MetadataTypes = map.MetadataTypes(body.MetadataTypes),
            };
            var created = await store.CreateCollectionAsync(name, settings, ct);
            return Results.Created($"/v1/collections/{name}", ToResponse(created, analyzers));
        }).RequireRole(ApiRole.Admin).WithSummary("Create a collection (knowledge base)");

        group.MapGet("/", async (IKnowledgeStore store, AnalyzerCatalog analyzers, HttpContext http, CancellationToken ct) =>
            (await store.ListCollectionsAsync(ct)).Where(c => CallerScope.Allows(http, c.Name)).Select(c => ToResponse(c, analyzers)))
            .RequireRole(ApiRole.Reader).WithSummary("List collections (a scoped key sees its own)");

        group.MapGet("/{collection}", async (string collection, RequestMapping map, IKnowledgeStore store, ILexicalSearchIndex lexical,
            SearchService search, AnalyzerCatalog analyzers, IServiceProvider services, CancellationToken ct) =>
        {
            var info = await map.CollectionAsync(collection, ct);
            var access = map.CallerAccess();
            var version = await services.GetRequiredService<IIndexSource>().GetVersionAsync(info.Id, ct);
            var stats = await store.GetStatsAsync(info, access, ct);
            var bm25 = await lexical.GetStatsAsync(info, ct);
            var vectors = search.DenseAvailable && services.GetService<IVectorSearchIndex>() is { } v ? await v.GetStatsAsync(info, ct) : null;
            if (access is not null)
            {
                // The indexes count every chunk; a caller limited by principals gets the store's counts of what it may read only.
                bm25 = bm25 with { Entries = stats.Chunks };
                vectors = vectors is null ? null : vectors with { Entries = stats.Vectors, Graph = null };
            }

            var fusion = services.GetService<FusionCalibrationService>() is { } calibration ? ToResponse(await calibration.StateAsync(info, ct)) : null;
            var fit = services.GetService<ModelFitCheck>() is { } check && await check.CheckAsync(info, ct) is { } report ? ToResponse(report) : null;
            var cache = access is null && services.GetService<ChunkCache>() is { } held
                ? new ChunkCacheStatsResponse(held.Count, held.Bytes, held.MaxBytes, held.Hits, held.Misses)
                : null;
            return new CollectionStatsResponse(info.Name, stats.Documents, stats.Chunks, stats.ChunkTextBytes, bm25.Bytes, stats.Vectors, stats.VectorBytes,
                ToResponse(info, analyzers), ToResponse(bm25, version), vectors is null ? null : ToResponse(vectors, version), vectors?.Graph, fusion, fit, version, cache);
        }).RequireRole(ApiRole.Reader).WithSummary("Collection statistics: documents, chunks, index sizes and settings (counts of what the caller may read; full for admins)");

        group.MapDelete("/{collection}", async (string collection, IKnowledgeStore store, CancellationToken ct) =>
            await store.DeleteCollectionAsync(collection, ct)
                ? Results.NoContent()
                : throw ApiProblemException.NotFound($"collection '{InputEcho.Of(collection)}' does not exist"))
            .RequireRole(ApiRole.Admin).WithSummary("Delete a collection with all its documents");
    }

    private static FusionStatsResponse ToResponse(CalibrationState state) => state.Calibration switch
    {
        null => new FusionStatsResponse(Pending(state) ?? "not calibrated", "rrf", null, state.Activity switch
        {
            CalibrationActivity.Running => "calibrating now; reciprocal-rank fusion until it finishes",
            CalibrationActivity.Scheduled => "calibrates once the latest writes have settled (Rag:Retrieval:Calibration:DebounceDelay); reciprocal-rank fusion until then",
            _ => "too few chunks to calibrate (at least Rag:Retrieval:Calibration:MinimumChunks with a pseudo-query), or the last calibration failed (see the log; the next write or hybrid search retries); reciprocal-rank fusion",
        }, null, null),
        var c => new FusionStatsResponse(state.Stale is null ? "calibrated" : Pending(state) ?? "stale", c.DenseOff ? "bm25 only" : "weighted", c.DenseWeight, c.Reason, state.Stale, c),
    };

    /// <summary>"calibrating" or "scheduled" while a missing or stale calibration is being redone in the background.</summary>
    private static string? Pending(CalibrationState state) => state.Activity switch
    {
        CalibrationActivity.Running => "calibrating",
        CalibrationActivity.Scheduled => "scheduled",
        _ => null,
    };

    private static ModelFitResponse ToResponse(ModelFitReport r) => new(
        r.ModelId, r.Fit.Texts, Math.Round(r.Fit.UnknownTokenRate, 4), Math.Round(r.Fit.TruncationRate, 4), r.Fit.MaxSequenceLength, r.Warnings);

    private static IndexStatsResponse ToResponse(IndexStats s, long storeVersion) => new(s.Engine, s.Entries, s.Bytes, s.Load, s.Version,
        s.Version is { } held ? Math.Max(0, storeVersion - held) : null, s.Follow?.VersionsFromLog ?? 0, s.Follow?.Rebuilds ?? 0, s.Follow?.LastRebuild);

    private static CollectionResponse ToResponse(CollectionInfo c, AnalyzerCatalog analyzers) => new(
        c.Name, c.CreatedAt, c.Settings.Chunking.Mode == ChunkingMode.SentencePack ? "sentence-pack" : "structured",
        c.Settings.Chunking.MaxSize, c.Settings.Chunking.Overlap, c.Settings.ContextualHeaders, c.Settings.LlmContext, analyzers.NameOf(c.Settings),
        c.Settings.UnlistedAccess == UnlistedAccess.Closed ? "closed" : "open",
        c.Settings.MetadataTypes.Count == 0 ? null : c.Settings.MetadataTypes.ToDictionary(t => t.Key, t => MetadataValues.Name(t.Value)));
}
