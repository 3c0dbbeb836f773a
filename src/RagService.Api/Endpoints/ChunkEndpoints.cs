using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Api.Endpoints;

internal sealed class ChunkEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        // A query parameter rather than a path under /documents/{**id}: document ids may contain '/'.
        app.MapGet("/v1/collections/{collection}/chunks", async (string collection, string? documentId, int? offset, int? limit, RequestMapping map,
            IKnowledgeStore store, CancellationToken ct) =>
        {
            if (string.IsNullOrEmpty(documentId))
            {
                throw ApiProblemException.BadRequest("name the document whose chunks to list: ?documentId=ID");
            }

            var info = await map.CollectionAsync(collection, ct);
            var (skip, take) = map.Page(offset, limit);
            await DocumentEndpoints.VisibleDocumentAsync(store, map, info, documentId, ct);
            var ids = await store.ListChunkIdsAsync(info, documentId, skip, take, ct);
            return (await store.GetChunksAsync(ids, ct)).Select(c => new ChunkResponse(c.ChunkId, c.Ordinal, c.HeadingPath, c.Page, c.Text));
        }).WithTags("Documents").RequireRole(ApiRole.Reader).WithSummary("A document's chunks in reading order (?documentId=ID&offset=&limit=)");
    }
}
