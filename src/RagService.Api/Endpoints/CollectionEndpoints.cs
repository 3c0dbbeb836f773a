using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using Microsoft.Extensions.Options;
using RagService.Core.Chunking;
using RagService.Core.Ingestion;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Api.Endpoints;

internal static class CollectionEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/collections").WithTags("Collections");

        group.MapPost("/", async (CreateCollectionRequest body, IKnowledgeStore store, ITextAnalyzer analyzer, IngestionService ingestion, IOptions<RagOptions> options, CancellationToken ct) =>
        {
            var name = RequestMapping.ValidCollectionName(body.Name);
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
                Analyzer = analyzer.Signature,
            };
            var created = await store.CreateCollectionAsync(name, settings, ct);
            return Results.Created($"/v1/collections/{name}", ToResponse(created));
        }).WithSummary("Create a collection (knowledge base)");

        group.MapGet("/", async (IKnowledgeStore store, CancellationToken ct) =>
            (await store.ListCollectionsAsync(ct)).Select(ToResponse)).WithSummary("List collections");

        group.MapGet("/{collection}", async (string collection, RequestMapping map, IKnowledgeStore store, CancellationToken ct) =>
        {
            var info = await map.CollectionAsync(collection, ct);
            var stats = await store.GetStatsAsync(info, ct);
            return new CollectionStatsResponse(info.Name, stats.Documents, stats.Chunks, stats.ChunkTextBytes, stats.Bm25IndexBytes, stats.Vectors, stats.VectorBytes, ToResponse(info));
        }).WithSummary("Collection statistics: documents, chunks, index sizes and settings");

        group.MapDelete("/{collection}", async (string collection, IKnowledgeStore store, CancellationToken ct) =>
            await store.DeleteCollectionAsync(collection, ct)
                ? Results.NoContent()
                : throw ApiProblemException.NotFound($"collection '{InputEcho.Of(collection)}' does not exist"))
            .WithSummary("Delete a collection with all its documents");
    }

    private static CollectionResponse ToResponse(CollectionInfo c) => new(
        c.Name, c.CreatedAt, c.Settings.Chunking.Mode == ChunkingMode.SentencePack ? "sentence-pack" : "structured",
        c.Settings.Chunking.MaxSize, c.Settings.Chunking.Overlap, c.Settings.ContextualHeaders, c.Settings.LlmContext);
}
