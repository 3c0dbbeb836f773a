using RagService.Api.Hosting;
using RagService.Core.Models;
using RagService.Storage.Sqlite;

namespace RagService.Api.Endpoints;

internal static class HealthEndpoints
{
    public sealed record ReadyResponse(string Status, IReadOnlyList<ComponentStatus> Components);

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).WithTags("Health").WithSummary("The process is up");

        app.MapGet("/health/ready", async (SqliteKnowledgeStore store, ComponentRegistry components, CancellationToken ct) =>
        {
            ComponentStatus storeStatus;
            try
            {
                await store.PingAsync(ct);
                storeStatus = ComponentStatus.On("store", $"sqlite {store.DatabasePath}");
            }
            catch (Exception e)
            {
                storeStatus = ComponentStatus.Failed("store", e.Message);
            }

            var all = new List<ComponentStatus> { storeStatus };
            if (store.VectorSnapshotFault is { } snapshotFault)
            {
                all.Add(ComponentStatus.Failed("vectors", snapshotFault + "; dense retrieval answers with BM25 only until it is fixed"));
            }

            all.AddRange(components.All);
            // Optional components that are off do not make the service unready; a failed one or the store does.
            var ready = all.All(c => c.State != "failed");
            return Results.Json(new ReadyResponse(ready ? "ready" : "unready", all), statusCode: ready ? 200 : 503);
        }).WithTags("Health").WithSummary("Store, models and LLM: on, off (not configured) or failed");
    }
}
