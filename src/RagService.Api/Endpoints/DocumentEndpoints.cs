using RagService.Core.Access;
using System.Text;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Ingestion;
using RagService.Api.Replication;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Security;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Endpoints;

internal sealed class DocumentEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/collections/{collection}/documents").WithTags("Documents");

        group.MapPost("/", async (string collection, IngestTextRequest body, DocumentIngestor ingestor, RequestMapping map, CalibrationSchedule calibration,
            CollectionVersions versions, HttpContext http, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(body.Text))
            {
                throw ApiProblemException.BadRequest("'text' is required and must not be blank");
            }

            // A media type, not a made-up file name: posted text has no file name to title it with.
            var mediaType = RequestMapping.TextMediaType(body.Format);
            var metadata = map.Metadata(body.Metadata);
            var title = map.Title(body.Title);
            var access = RequestMapping.Access(body.Access);
            var info = await map.CollectionAsync(collection, ct);
            RequestMapping.CheckTypedMetadata(info, metadata);
            var result = await ingestor.IngestAsync(info, Encoding.UTF8.GetBytes(body.Text), null, mediaType, body.Id, title, metadata, null, access, ct);
            calibration.Request(info.Name);
            return ToResult(collection, result, await versions.StampAsync(http, info, ct));
        }).RequireRole(ApiRole.Writer).WithSummary("Add or replace a document sent as JSON text");

        group.MapPost("/upload", async (string collection, IFormFile? file, [Microsoft.AspNetCore.Mvc.FromForm] string? id,
            [Microsoft.AspNetCore.Mvc.FromForm] string? title, [Microsoft.AspNetCore.Mvc.FromForm] string? access, DocumentIngestor ingestor, RequestMapping map,
            CalibrationSchedule calibration, CollectionVersions versions, HttpContext http, CancellationToken ct) =>
        {
            if (file is null || file.Length == 0)
            {
                throw ApiProblemException.BadRequest("send the document as a non-empty multipart form field named 'file'");
            }

            title = map.Title(title);
            var accessList = RequestMapping.FormAccess(access);
            var info = await map.CollectionAsync(collection, ct);
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var result = await ingestor.IngestAsync(info, buffer.ToArray(), file.FileName, file.ContentType, id ?? Path.GetFileName(file.FileName), title, new Dictionary<string, string>(), null, accessList, ct);
            calibration.Request(info.Name);
            return ToResult(collection, result, await versions.StampAsync(http, info, ct));
        }).DisableAntiforgery().RequireRole(ApiRole.Writer).WithSummary("Add or replace a document uploaded as a file (multipart/form-data)");

        group.MapGet("/", async (string collection, int? offset, int? limit, RequestMapping map, IKnowledgeStore store, CancellationToken ct) =>
        {
            var info = await map.CollectionAsync(collection, ct);
            var (skip, take) = map.Page(offset, limit);
            return (await store.ListDocumentsAsync(info, skip, take, map.CallerAccess(), ct)).Select(ToResponse);
        }).RequireRole(ApiRole.Reader).WithSummary("List the documents the caller may read");

        // {**id}: ids may contain '/' (synced files in subfolders); DocumentIdPath decodes it from the raw target.
        group.MapGet("/{**id}", async (string collection, HttpContext http, RequestMapping map, IKnowledgeStore store, CancellationToken ct) =>
        {
            var id = DocumentIdPath.Decode(http);
            var info = await map.CollectionAsync(collection, ct);
            return ToResponse(await VisibleDocumentAsync(store, map, info, id, ct));
        }).RequireRole(ApiRole.Reader).WithSummary("Get a document's record (ids containing '/' are sent as path segments, see README)");

        // PUT .../documents/{id}/access: the id is every segment before the final "access" (ids may contain '/').
        group.MapPut("/{**idAndAccess}", async (string collection, SetAccessRequest body, HttpContext http, RequestMapping map, IKnowledgeStore store,
            CancellationToken ct) =>
        {
            var id = DocumentIdPath.DecodeBefore(http, "access")
                ?? throw ApiProblemException.NotFound("documents are written with POST; PUT only changes access: PUT .../documents/{id}/access");
            var access = RequestMapping.Access(body.Access);
            var info = await map.CollectionAsync(collection, ct);
            await VisibleDocumentAsync(store, map, info, id, ct);
            if (!await store.SetDocumentAccessAsync(info, id, access, ct))
            {
                throw DocumentNotFound(collection, id);
            }

            return ToResponse((await store.GetDocumentAsync(info, id, ct)) ?? throw DocumentNotFound(collection, id));
        }).RequireRole(ApiRole.Writer)
            .WithSummary("Replace a document's access list (PUT .../documents/{id}/access); nothing is re-extracted or re-embedded, the next search obeys it");

        group.MapDelete("/{**id}", async (string collection, HttpContext http, RequestMapping map, IKnowledgeStore store, CalibrationSchedule calibration,
            CollectionVersions versions, CancellationToken ct) =>
        {
            var id = DocumentIdPath.Decode(http);
            var info = await map.CollectionAsync(collection, ct);
            await VisibleDocumentAsync(store, map, info, id, ct);
            if (!await store.DeleteDocumentAsync(info, id, ct))
            {
                throw DocumentNotFound(collection, id);
            }

            calibration.Request(info.Name);
            await versions.StampAsync(http, info, ct);
            return Results.NoContent();
        }).RequireRole(ApiRole.Writer).WithSummary("Delete a document and its chunks");
    }

    private static IResult ToResult(string collection, IngestResult r, long version)
    {
        var body = new IngestResponse(r.DocumentId, r.Outcome.ToString().ToLowerInvariant(), r.Chunks, Math.Round(r.Milliseconds, 3), r.Warnings.Count > 0 ? r.Warnings : null,
            version);
        return r.Outcome == WriteOutcome.Created
            ? Results.Created(DocumentIdPath.Location(collection, r.DocumentId), body)
            : Results.Ok(body);
    }

    /// <summary>
    /// The document when the caller may read it; otherwise the same 404 as for a document that does not exist, so that
    /// no route tells a caller whether a document it may not read exists.
    /// </summary>
    public static async Task<DocumentRecord> VisibleDocumentAsync(IKnowledgeStore store, RequestMapping map, CollectionInfo info, string id, CancellationToken ct)
    {
        var doc = await store.GetDocumentAsync(info, id, ct);
        return doc is not null && map.CallerAccess().MayRead(doc, info) ? doc : throw DocumentNotFound(info.Name, id);
    }

    private static ApiProblemException DocumentNotFound(string collection, string id) =>
        ApiProblemException.NotFound($"document '{InputEcho.Of(id)}' does not exist in '{InputEcho.Of(collection)}'");

    private static DocumentResponse ToResponse(DocumentRecord d) =>
        new(d.Id, d.Title, d.Format, d.ContentHash, d.ChunkCount, d.Metadata, d.CreatedAt, d.UpdatedAt, d.Source?.Sha256, d.Access);
}
