using Microsoft.AspNetCore.Authorization;
using RagService.Api.Health;
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
    public sealed record ReadyResponse(string Status, IReadOnlyList<ComponentDetail> Components);

    /// <param name="Required">Whether this component failing makes the service unready (Rag:Health:RequiredForReady) rather than degraded.</param>
    public sealed record ComponentDetail(string Name, string State, string Detail, bool Required);

    public sealed record ComponentState(string Name, string State, bool Required);

    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous().WithTags("Health").WithSummary("The process is up");

        app.MapGet("/health/ready", async (IEnumerable<IComponentHealth> checks, ComponentRegistry components, ReadinessPolicy policy, IServiceProvider services,
            HttpContext http, CancellationToken ct) =>
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

            // A required component down: 503 (leave rotation). Only others down: 200 "degraded" (BM25-only, no LLM answer...).
            var status = policy.Judge(all);
            var code = ReadinessPolicy.StatusCode(status);
            return Caller.From(http.User) switch
            {
                null => Results.Json(new { status }, statusCode: code),
                { Role: ApiRole.Admin } => Results.Json(new ReadyResponse(status, all.Select(c => new ComponentDetail(c.Name, c.State, c.Detail, policy.IsRequired(c.Name))).ToList()),
                    statusCode: code),
                _ => Results.Json(new { status, components = all.Select(c => new ComponentState(c.Name, c.State, policy.IsRequired(c.Name))) }, statusCode: code),
            };
        }).AllowAnonymous().WithTags("Health")
        .WithSummary("ready (200), degraded (200: an optional component such as the LLM or Qdrant failed) or unready (503: a component of " +
            "Rag:Health:RequiredForReady failed). Components: on, off (not configured), failed. Anonymous: status only; any key: component states; admin: details");
    }
}
