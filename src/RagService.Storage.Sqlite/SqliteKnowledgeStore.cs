using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>The embedded knowledge store: <see cref="KnowledgeStore"/>'s writes over one SQLite file's rows (<see cref="SqliteKnowledgeRows"/>).</summary>
public sealed class SqliteKnowledgeStore : KnowledgeStore, IComponentHealth
{
    private readonly SqliteKnowledgeRows _rows;

    /// <param name="indexes">The indexes derived from this store; none for a writer that leaves them to catch up by version.</param>
    public SqliteKnowledgeStore(SqliteStoreOptions options, IEnumerable<ISearchIndex>? indexes = null)
        : this(options, indexes, NullLogger.Instance)
    {
    }

    /// <param name="indexes">The indexes derived from this store; none for a writer that leaves them to catch up by version.</param>
    /// <param name="chunks">The search hits' chunk cache this process's writes keep current, if any.</param>
    public SqliteKnowledgeStore(SqliteStoreOptions options, IEnumerable<ISearchIndex>? indexes, ILogger logger, ChunkCache? chunks = null)
        : this(new SqliteKnowledgeRows(options, logger), indexes, logger, chunks)
    {
    }

    private SqliteKnowledgeStore(SqliteKnowledgeRows rows, IEnumerable<ISearchIndex>? indexes, ILogger logger, ChunkCache? chunks)
        : base(rows, indexes, logger, chunks) => _rows = rows;

    public string DatabasePath => _rows.DatabasePath;

    /// <summary>Why the data folder cannot be written (found at start-up), or null. Writes are refused while it is set.</summary>
    public string? Fault => _rows.Fault;

    /// <summary>Checks that the file can be read; used by the readiness probe.</summary>
    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => _rows.CheckAsync(ct);
}
