using RagService.Api.Hosting;
using RagService.Core.Models;
using RagService.Llm.Health;

namespace RagService.Api.Endpoints;

internal sealed class HealthEndpoints : IEndpointModule
{
    public sealed record ReadyResponse(string Status, IReadOnlyList<ComponentStatus> Components);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).WithTags("Health").WithSummary("The process is up");

        app.MapGet("/health/ready", async (IEnumerable<IComponentHealth> checks, ComponentRegistry components, IServiceProvider services, CancellationToken ct) =>
        {
            var all = new List<ComponentStatus>();
            foreach (var check in checks)
            {
                all.Add(await check.CheckAsync(ct));
            }

            all.AddRange(components.All);
            if (services.GetService<LlmReadinessProbe>() is { } llm)
            {
                all[all.FindIndex(c => c.Name == "llm")] = await llm.CheckAsync(ct);
            }

            // Optional components that are off do not make the service unready; a failed one or the store does.
            var ready = all.All(c => c.State != "failed");
            return Results.Json(new ReadyResponse(ready ? "ready" : "unready", all), statusCode: ready ? 200 : 503);
        }).WithTags("Health").WithSummary("Store, indexes, models and LLM: on, off (not configured) or failed");
    }
}
