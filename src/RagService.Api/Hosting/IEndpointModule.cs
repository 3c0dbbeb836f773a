namespace RagService.Api.Hosting;

/// <summary>
/// A group of routes. The host maps every module of this assembly, so the composition root does not depend on the
/// endpoint classes (they depend on it: options, component registry).
/// </summary>
internal interface IEndpointModule
{
    void Map(IEndpointRouteBuilder app);

    static void MapAll(IEndpointRouteBuilder app)
    {
        var modules = typeof(IEndpointModule).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IEndpointModule).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in modules)
        {
            ((IEndpointModule)Activator.CreateInstance(type)!).Map(app);
        }
    }
}
