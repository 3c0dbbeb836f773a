using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.Cluster;
using RagService.Core.Indexing;
using RagService.Core.Logging;
using RagService.Core.Models;
using RagService.Core.Resilience;

namespace RagService.Vectors.Qdrant;

public static class QdrantServiceCollectionExtensions
{
    /// <summary>
    /// Dense retrieval served by Qdrant (<see cref="QdrantVectorSearchIndex"/>); the options are validated here, so a bad value stops the start with
    /// what to fix. Its calls retry and break per <see cref="QdrantCalls"/>.
    /// </summary>
    public static IServiceCollection AddQdrantVectorIndex(this IServiceCollection services, QdrantOptions options)
    {
        options.Validate();
        services.AddSingleton(sp => new QdrantVectorSearchIndex(options, sp.LoggerFor<QdrantVectorSearchIndex>(),
            sp.GetKeyedService<TimeProvider>(DependencyCircuit.ClockKey), sp.GetService<IClusterLock>()));
        services.AddSingleton<IVectorSearchIndex>(sp => sp.GetRequiredService<QdrantVectorSearchIndex>());
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<QdrantVectorSearchIndex>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<QdrantVectorSearchIndex>());
        return services;
    }
}
