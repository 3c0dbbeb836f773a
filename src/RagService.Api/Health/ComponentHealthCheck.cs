using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RagService.Api.Health;

/// <summary>
/// One component of /health/ready as an ASP.NET Core health check: unhealthy when it is required and failed or off,
/// degraded when it is failed, healthy otherwise (<see cref="ReadinessPolicy"/>). The component's own state and
/// detail travel in the entry's data for <see cref="ReadinessResponseWriter"/>.
/// </summary>
internal sealed class ComponentHealthCheck(string name, ComponentChecks checks, ReadinessPolicy policy) : IHealthCheck
{
    public const string StateKey = "state";
    public const string DetailKey = "detail";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (await checks.CheckAsync(name, cancellationToken) is not { } status)
        {
            return HealthCheckResult.Healthy("not part of this configuration");
        }

        var data = new Dictionary<string, object> { [StateKey] = status.State, [DetailKey] = status.Detail };
        return new HealthCheckResult(policy.HealthOf(status), status.Detail, data: data);
    }
}
