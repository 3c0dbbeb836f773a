using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.Access;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Logging;
using RagService.Core.Models;

namespace RagService.Vectors.Hnsw;

public static class HnswServiceCollectionExtensions
{
    /// <summary>The embedded HNSW vector engine, one index per collection with snapshots in <paramref name="snapshotDirectory"/>.</summary>
    public static IServiceCollection AddHnswVectorIndex(this IServiceCollection services, string snapshotDirectory, VectorIndexOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(snapshotDirectory))
        {
            throw new ArgumentException("the vector snapshot directory must be set", nameof(snapshotDirectory));
        }

        options ??= new VectorIndexOptions();
        options.Validate();
        services.AddSingleton(sp => new HnswVectorSearchIndex(sp.GetRequiredService<IIndexSource>(), snapshotDirectory, options,
            sp.LoggerFor<HnswVectorSearchIndex>(), sp.GetService<IChangeFeed>(), sp.GetService<VisibleChunkCache>()));
        services.AddSingleton<IVectorSearchIndex>(sp => sp.GetRequiredService<HnswVectorSearchIndex>());
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<HnswVectorSearchIndex>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<HnswVectorSearchIndex>());
        return services;
    }
}
