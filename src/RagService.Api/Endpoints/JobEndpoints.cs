using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Jobs;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Api.Endpoints;

internal sealed class JobEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/jobs").WithTags("Jobs");

        group.MapGet("/{id}", async (string id, bool? lists, IJobStore jobs, IKnowledgeStore store, IServiceProvider services, HttpContext http, CancellationToken ct) =>
        {
            var job = await jobs.GetAsync(id, ct) ?? throw ApiProblemException.NotFound($"job '{InputEcho.Of(id)}' does not exist");
            CallerScope.Demand(http, job.Collection);
            var response = ToResponse(job, lists == false ? null : await jobs.GetItemsAsync(id, ct));
            return job.IsFinished && services.GetService<ModelFitCheck>() is { } check && await store.GetCollectionAsync(job.Collection, ct) is { } collection
                ? response with { Warnings = (await check.CheckAsync(collection, ct))?.Warnings ?? [] }
                : response;
        }).RequireRole(ApiRole.Reader).WithSummary("A job's state, stage, progress and, per document, what was added, updated, unchanged, deleted or failed (lists=false: counts only)");

        group.MapGet("/", async (string? collection, int? limit, IJobStore jobs, HttpContext http, CancellationToken ct) =>
        {
            if (collection is not null)
            {
                CallerScope.Demand(http, collection);
            }

            if (limit is < 1 or > 1000)
            {
                throw ApiProblemException.BadRequest("'limit' must be between 1 and 1000");
            }

            return (await jobs.ListAsync(collection, limit ?? 50, ct)).Where(j => CallerScope.Allows(http, j.Collection)).Select(j => ToResponse(j, null));
        }).RequireRole(ApiRole.Reader).WithSummary("Recent jobs, newest first, with counts");
    }

    public static JobResponse ToResponse(JobRecord job, IReadOnlyList<JobItem>? items)
    {
        List<string>? Paths(SyncAction action) =>
            items?.Where(i => i.Status == ItemStatus.Done && i.Action == action).Select(i => i.Path).ToList();

        var c = job.Counts;
        return new JobResponse(
            job.Id, job.Kind, job.Collection, StateName(job.State), job.Stage.ToString().ToLowerInvariant(), job.Prune,
            new JobProgressResponse(c.Done, c.Total),
            new JobCountsResponse(c.Added, c.Updated, c.Unchanged, c.Deleted, c.Failed),
            Paths(SyncAction.Add), Paths(SyncAction.Update), Paths(SyncAction.Unchanged), Paths(SyncAction.Delete),
            items?.Where(i => i.Status == ItemStatus.Failed).Select(i => new JobFailureResponse(i.Path, i.Error ?? "failed")).ToList(),
            items?.Where(i => i.Warnings.Count > 0).Select(i => new JobItemWarningsResponse(i.Path, i.Warnings)).ToList(),
            job.Error, job.CreatedAt, job.UpdatedAt, job.FinishedAt);
    }

    private static string StateName(JobState state) => state switch
    {
        JobState.CompletedWithErrors => "completed_with_errors",
        _ => state.ToString().ToLowerInvariant(),
    };
}
