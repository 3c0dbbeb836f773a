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

namespace RagService.Storage.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// Every store port over one SQLite file: the knowledge store (documents, chunks, terms, vectors), the index source
    /// the search indexes rebuild from, jobs, API keys, the contextual-retrieval cache, the fusion calibrations, and the
    /// reading of SQLite's faults (<see cref="IStoreFaults"/>). The store hands its writes to every registered <see cref="ISearchIndex"/>.
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, SqliteStoreOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.DatabasePath))
        {
            throw new ArgumentException("Rag:DatabasePath must name the SQLite file", nameof(options));
        }

        services.AddSingleton(options);
        services.AddSingleton(sp => new SqliteKnowledgeStore(options, sp.GetServices<ISearchIndex>(),
            sp.LoggerFor<SqliteKnowledgeStore>(), sp.GetService<ChunkCache>()));
        services.AddSingleton<IKnowledgeStore>(sp => sp.GetRequiredService<SqliteKnowledgeStore>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<SqliteKnowledgeStore>());
        services.AddSingleton<IIndexSource>(new SqliteIndexSource(options));
        services.AddSingleton<IChangeFeed>(new SqliteChangeFeed(options));
        services.AddSingleton<IChunkContextCache>(new SqliteChunkContextCache(options));
        services.AddSingleton<IFusionCalibrationStore>(new SqliteFusionCalibrationStore(options));
        services.AddSingleton<IJobStore>(new SqliteJobStore(options));
        services.AddSingleton<RagService.Core.Cluster.IClusterLock>(new RagService.Core.Cluster.InProcessClusterLock());
        services.AddSingleton<IApiKeyStore>(new SqliteApiKeyStore(options));
        services.AddSingleton<IStoreFaults, SqliteFaults>();
        services.AddSingleton<IStoreDescription>(new StoreDescription("sqlite", Path.GetFullPath(options.DatabasePath)));
        return services;
    }
}
