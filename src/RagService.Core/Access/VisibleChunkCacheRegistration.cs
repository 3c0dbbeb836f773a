using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagService.Core.Indexing;

namespace RagService.Core.Access;

public static class VisibleChunkCacheRegistration
{
    /// <summary>One <see cref="VisibleChunkCache"/> shared by the engines that filter by store-resolved chunk ids
    /// (memory BM25, Lucene, embedded HNSW).</summary>
    public static IServiceCollection AddVisibleChunkCache(this IServiceCollection services, VisibleChunkCacheOptions options)
    {
        options.Validate();
        services.TryAddSingleton(sp => new VisibleChunkCache(sp.GetRequiredService<IIndexSource>(), options));
        return services;
    }
}
