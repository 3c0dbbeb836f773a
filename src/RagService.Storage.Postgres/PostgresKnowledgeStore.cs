using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>The shared knowledge store: <see cref="KnowledgeStore"/>'s writes over PostgreSQL's rows (<see cref="PostgresKnowledgeRows"/>).</summary>
public sealed class PostgresKnowledgeStore : KnowledgeStore, IComponentHealth
{
    private readonly PostgresKnowledgeRows _rows;

    public PostgresKnowledgeStore(PostgresDatabase database, IEnumerable<ISearchIndex>? indexes = null)
        : this(database, indexes, NullLogger.Instance)
    {
    }

    /// <param name="chunks">The search hits' chunk cache this process's writes keep current, if any.</param>
    public PostgresKnowledgeStore(PostgresDatabase database, IEnumerable<ISearchIndex>? indexes, ILogger logger, ChunkCache? chunks = null)
        : this(new PostgresKnowledgeRows(database), indexes, logger, chunks)
    {
    }

    private PostgresKnowledgeStore(PostgresKnowledgeRows rows, IEnumerable<ISearchIndex>? indexes, ILogger logger, ChunkCache? chunks)
        : base(rows, indexes, logger, chunks) => _rows = rows;

    /// <summary>Reads one row: "store" on, or failed with the reason; used by the readiness probe.</summary>
    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => _rows.CheckAsync(ct);
}
