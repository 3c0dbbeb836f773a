using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Logging;
using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Every store port over one PostgreSQL database shared by the replicas: the knowledge store, the index source,
    /// jobs, API keys, the contextual-retrieval cache, the fusion calibrations and the reading of PostgreSQL's faults,
    /// all over one connection pool. An unreachable database does not stop the start: the store reports unready with the reason.
    /// </summary>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, PostgresStoreOptions options)
    {
        options.Validate();
        services.AddSingleton(sp => new PostgresDatabase(options, sp.LoggerFor<PostgresDatabase>()));
        services.AddSingleton(sp => new PostgresKnowledgeStore(sp.GetRequiredService<PostgresDatabase>(), sp.GetServices<ISearchIndex>(),
            sp.LoggerFor<PostgresKnowledgeStore>(), sp.GetService<ChunkCache>()));
        services.AddSingleton<IKnowledgeStore>(sp => sp.GetRequiredService<PostgresKnowledgeStore>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<PostgresKnowledgeStore>());
        services.AddSingleton<IIndexSource>(sp => new PostgresIndexSource(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IChangeFeed>(sp => new PostgresChangeFeed(sp.GetRequiredService<PostgresDatabase>(),
            sp.LoggerFor<PostgresChangeFeed>()));
        services.AddSingleton<IChunkContextCache>(sp => new PostgresChunkContextCache(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IFusionCalibrationStore>(sp => new PostgresFusionCalibrationStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IJobStore>(sp => new PostgresJobStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<RagService.Core.Cluster.IClusterLock>(sp => new PostgresClusterLock(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IApiKeyStore>(sp => new PostgresApiKeyStore(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<IStoreFaults>(sp => sp.GetRequiredService<PostgresDatabase>().Faults);
        services.AddSingleton<IStoreDescription>(sp => new StoreDescription("postgres", sp.GetRequiredService<PostgresDatabase>().Location));
        return services;
    }
}
