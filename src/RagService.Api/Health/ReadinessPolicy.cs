using Microsoft.Extensions.Diagnostics.HealthChecks;
using RagService.Core.Models;

namespace RagService.Api.Health;

/// <summary>
/// Turns the components' states into the service's: "unready" (503) when a required component is failed or off,
/// "degraded" (200) when only others are failed, "ready" (200) otherwise. "off" of an optional component (not
/// configured) degrades nothing; "warning" (model-fit) never fails.
/// </summary>
public sealed class ReadinessPolicy(IReadOnlySet<string> required)
{
    public IReadOnlySet<string> Required { get; } = required;

    public bool IsRequired(string component) => Required.Contains(component);

    public string Judge(IReadOnlyCollection<ComponentStatus> components)
    {
        if (components.Any(c => IsRequired(c.Name) && c.State is "failed" or "off"))
        {
            return "unready";
        }

        return components.Any(c => c.State == "failed") ? "degraded" : "ready";
    }

    public static int StatusCode(string status) => status == "unready" ? 503 : 200;

    /// <summary>One component's part in <see cref="Judge"/>, as a health check status: unhealthy makes the service unready.</summary>
    public HealthStatus HealthOf(ComponentStatus component) => component.State switch
    {
        "failed" or "off" when IsRequired(component.Name) => HealthStatus.Unhealthy,
        "failed" => HealthStatus.Degraded,
        _ => HealthStatus.Healthy,
    };
}
