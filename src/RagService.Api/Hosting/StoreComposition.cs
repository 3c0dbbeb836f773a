using RagService.Core.Storage;
using RagService.Storage.Postgres;
using RagService.Storage.Sqlite;

namespace RagService.Api.Hosting;

/// <summary>
/// Rag:Store picks the store adapter every store port comes from: "sqlite" (one file beside the service, the default)
/// or "postgres" (one database shared by replicas, section Rag:Postgres). This is the only place the service names a store.
/// Either store's search hits are read through one <see cref="ChunkCache"/> (section Rag:ChunkCache, validated here).
/// </summary>
internal static class StoreComposition
{
    public static void AddStore(IServiceCollection services, RagOptions rag, IConfiguration configuration)
    {
        var chunkCache = configuration.GetSection(ChunkCacheOptions.Section).Get<ChunkCacheOptions>() ?? new ChunkCacheOptions();
        services.AddSingleton(new ChunkCache(chunkCache.Validate()));
        switch (configuration["Rag:Store"] ?? "sqlite")
        {
            case "sqlite":
                services.AddSqliteStore(new SqliteStoreOptions { DatabasePath = rag.DatabasePath });
                break;
            case "postgres":
                // RAG_POSTGRES is only a fallback: a configured Rag:Postgres:ConnectionString wins.
                var postgres = configuration.GetSection(PostgresStoreOptions.Section).Get<PostgresStoreOptions>() ?? new PostgresStoreOptions();
                services.AddPostgresStore(postgres with { ConnectionString = postgres.ConnectionString ?? Environment.GetEnvironmentVariable("RAG_POSTGRES") });
                break;
            case var other:
                throw new InvalidOperationException($"Rag:Store must be 'sqlite' or 'postgres', not '{other}'.");
        }

        LocalStateComposition.AddLocalStateReads(services);
        Replication.ReplicationComposition.AddIndexFollower(services, configuration);
    }
}
