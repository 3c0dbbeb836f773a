using RagService.Api.Hosting;

namespace RagService.Api.Health;

internal static class ReadinessRegistration
{
    /// <summary>
    /// Section Rag:Health (validated here), one ASP.NET Core health check per component (<see cref="HealthOptions.Components"/>)
    /// tagged "ready" and "required" or "optional", and the registry the optional components report their start-up
    /// state to; returned so that the composition can fill it as it loads them.
    /// </summary>
    public static ComponentRegistry AddRagReadiness(this IServiceCollection services, IConfiguration configuration)
    {
        var components = new ComponentRegistry();
        services.AddSingleton(components);
        var health = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        var policy = new ReadinessPolicy(health.Required(configuration["Rag:VectorStore"] ?? "embedded"));
        services.AddSingleton(policy);
        services.AddSingleton<ComponentChecks>();
        var checks = services.AddHealthChecks();
        foreach (var name in HealthOptions.Components)
        {
            string[] tags = [ReadinessResponseWriter.Tag, policy.IsRequired(name) ? ReadinessResponseWriter.Required : ReadinessResponseWriter.Optional];
            checks.AddTypeActivatedCheck<ComponentHealthCheck>(name, failureStatus: null, tags, name);
        }

        return components;
    }
}
