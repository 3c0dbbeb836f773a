using RagService.Core.Indexing;
using RagService.Core.Storage;

namespace RagService.Api.Hosting;

/// <summary>
/// What lets a search answer from this replica's local state while the store is unreachable (docs/replicas.md,
/// "PostgreSQL outage"): the store's <see cref="IIndexSource"/> wrapped in <see cref="LastKnownVersionSource"/>, and
/// <see cref="LastKnownCollections"/>. Runs after the store adapter registered its index source.
/// </summary>
internal static class LocalStateComposition
{
    public static void AddLocalStateReads(IServiceCollection services)
    {
        var store = services.LastOrDefault(d => d.ServiceType == typeof(IIndexSource))
            ?? throw new InvalidOperationException("the store adapter registered no IIndexSource to wrap");
        services.Remove(store);
        services.AddSingleton(sp => new LastKnownVersionSource(store.ImplementationInstance as IIndexSource
            ?? store.ImplementationFactory?.Invoke(sp) as IIndexSource
            ?? throw new InvalidOperationException("the store's IIndexSource must be registered as an instance or a factory")));
        services.AddSingleton<IIndexSource>(sp => sp.GetRequiredService<LastKnownVersionSource>());
        services.AddSingleton<LastKnownCollections>();
    }
}
