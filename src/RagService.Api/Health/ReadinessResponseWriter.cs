using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagService.Api.Security;
using RagService.Core.Security;

namespace RagService.Api.Health;

/// <summary>
/// Writes a readiness report as /health/ready always answered: "ready" or "degraded" (200), "unready" (503).
/// Anonymous callers (load balancers, probes) get the status only; any valid key also gets each component's state;
/// an admin key also gets the details (database path, model ids, LLM URL).
/// </summary>
internal static class ReadinessResponseWriter
{
    /// <summary>The tag of every readiness check; each also carries <see cref="Required"/> or <see cref="Optional"/>.</summary>
    public const string Tag = "ready";
    public const string Required = "required";
    public const string Optional = "optional";

    public sealed record ReadyResponse(string Status, IReadOnlyList<ComponentDetail> Components);

    /// <param name="Required">Whether this component failing makes the service unready (Rag:Health:RequiredForReady) rather than degraded.</param>
    public sealed record ComponentDetail(string Name, string State, string Detail, bool Required);

    public sealed record ComponentState(string Name, string State, bool Required);

    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        var status = report.Status switch
        {
            HealthStatus.Unhealthy => "unready",
            HealthStatus.Degraded => "degraded",
            _ => "ready",
        };
        var code = ReadinessPolicy.StatusCode(status);
        var components = report.Entries.Where(e => e.Value.Data.ContainsKey(ComponentHealthCheck.StateKey))
            .Select(e => new ComponentDetail(e.Key, (string)e.Value.Data[ComponentHealthCheck.StateKey], (string)e.Value.Data[ComponentHealthCheck.DetailKey],
                e.Value.Tags.Contains(Required)))
            .ToList();
        var result = Caller.From(http.User) switch
        {
            null => Results.Json(new { status }, statusCode: code),
            { Role: ApiRole.Admin } => Results.Json(new ReadyResponse(status, components), statusCode: code),
            _ => Results.Json(new { status, components = components.Select(c => new ComponentState(c.Name, c.State, c.Required)) }, statusCode: code),
        };
        return result.ExecuteAsync(http);
    }
}
