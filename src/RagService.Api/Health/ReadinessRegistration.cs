using RagService.Api.Hosting;

namespace RagService.Api.Health;

internal static class ReadinessRegistration
{
    /// <summary>
    /// Section Rag:Health (validated here) and the registry the optional components report their start-up state to;
    /// returned so that the composition can fill it as it loads them.
    /// </summary>
    public static ComponentRegistry AddRagReadiness(this IServiceCollection services, IConfiguration configuration)
    {
        var components = new ComponentRegistry();
        services.AddSingleton(components);
        var health = configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        services.AddSingleton(new ReadinessPolicy(health.Required(configuration["Rag:VectorStore"] ?? "embedded")));
        return components;
    }
}
