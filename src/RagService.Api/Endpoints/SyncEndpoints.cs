using RagService.Api.Contracts;
using RagService.Api.Hosting;
using RagService.Api.Jobs;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Jobs;
using RagService.Core.Security;

namespace RagService.Api.Endpoints;

internal sealed class SyncEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/collections/{collection}/sync").WithTags("Sync");

        group.MapPost("/", async (string collection, bool? prune, HttpContext http, RequestMapping map, SyncSubmission sync, IJobStore jobs, CancellationToken ct) =>
        {
            var info = await map.CollectionAsync(collection, ct);
            SyncSubmitted submitted;
            try
            {
                submitted = await sync.SubmitAsync(info, prune ?? false, map.CallerAccess(), http, ct);
            }
            catch (RetryLaterException e)
            {
                http.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Problem(statusCode: e.Status, title: e.Title, detail: e.Message, instance: http.Request.Path);
            }

            var location = $"/v1/jobs/{submitted.Job.Id}";
            if (submitted.Completed)
            {
                http.Response.Headers.Location = location;
                return Results.Ok(JobEndpoints.ToResponse(submitted.Job, await jobs.GetItemsAsync(submitted.Job.Id, ct)));
            }

            return Results.Accepted(location, JobEndpoints.ToResponse(submitted.Job, null));
        })
        .RequireRole(ApiRole.Writer)
        .Accepts<IFormFile>("application/zip", "application/gzip")
        .Produces<JobResponse>(StatusCodes.Status200OK)
        .Produces<JobResponse>(StatusCodes.Status202Accepted)
        .WithSummary("Make the collection match a folder sent as a zip or tar.gz; prune=true deletes documents the folder no longer has")
        .WithDescription("The document id of each file is its path in the archive. Files whose SHA-256 matches the stored document are skipped " +
            "(no extraction or embedding). An archive entry named .rag-sync-manifest.json ({\"files\":[{\"path\",\"sha256\"}]}) lists files that were " +
            "not sent because they are unchanged. Small syncs run in the request (200); larger ones return 202 and a job to poll at GET /v1/jobs/{id}. " +
            "An Idempotency-Key header makes a retried request return the first request's job.");

        group.MapPost("/plan", async (string collection, SyncManifest body, RequestMapping map, SyncSubmission sync, CancellationToken ct) =>
        {
            var info = await map.CollectionAsync(collection, ct);
            return await sync.PreviewAsync(info, body, map.CallerAccess(), ct);
        }).RequireRole(ApiRole.Writer).WithSummary("Given a folder's paths and SHA-256 hashes, say which files a sync must send and what it would add, update and delete");
    }
}
