using Microsoft.AspNetCore.Authorization;
using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Models;
using RagService.Core.Security;
using RagService.Llm.Health;

namespace RagService.Api.Endpoints;

/// <summary>
/// Liveness and readiness. Anonymous callers (load balancers, probes) get the status only; any valid key also gets
/// each component's state; an admin key also gets the details (database path, model ids, LLM URL).
/// </summary>
internal sealed class HealthEndpoints : IEndpointModule
{
    public sealed record ReadyResponse(string Status, IReadOnlyList<ComponentStatus>? Components);

    public sealed record ComponentState(string Name, string State);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous().WithTags("Health").WithSummary("The process is up");

        app.MapGet("/health/ready", async (IEnumerable<IComponentHealth> checks, ComponentRegistry components, IServiceProvider services, HttpContext http,
            CancellationToken ct) =>
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
            var status = ready ? "ready" : "unready";
            var code = ready ? 200 : 503;
            return Caller.From(http.User) switch
            {
                null => Results.Json(new { status }, statusCode: code),
                { Role: ApiRole.Admin } => Results.Json(new ReadyResponse(status, all), statusCode: code),
                _ => Results.Json(new { status, components = all.Select(c => new ComponentState(c.Name, c.State)) }, statusCode: code),
            };
        }).AllowAnonymous().WithTags("Health")
        .WithSummary("Store, indexes, models and LLM: on, off (not configured) or failed. Anonymous: status only; any key: component states; admin: details");
    }
}
