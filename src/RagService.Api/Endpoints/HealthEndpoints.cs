using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagService.Api.Health;
using RagService.Api.Hosting;

namespace RagService.Api.Endpoints;

/// <summary>
/// Liveness, and readiness from the ASP.NET Core health checks tagged "ready" (one per component,
/// <see cref="ReadinessRegistration"/>), written by <see cref="ReadinessResponseWriter"/>.
/// </summary>
internal sealed class HealthEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health/live", () => Results.Ok(new { status = "live" })).AllowAnonymous().WithTags("Health").WithSummary("The process is up");

        app.MapGet("/health/ready", async (HealthCheckService health, HttpContext http, CancellationToken ct) =>
            await ReadinessResponseWriter.WriteAsync(http, await health.CheckHealthAsync(r => r.Tags.Contains(ReadinessResponseWriter.Tag), ct)))
        .AllowAnonymous().WithTags("Health")
        .WithSummary("ready (200), degraded (200: an optional component such as the LLM or Qdrant failed) or unready (503: a component of " +
            "Rag:Health:RequiredForReady failed). Components: on, off (not configured), failed. Anonymous: status only; any key: component states; admin: details");
    }
}
