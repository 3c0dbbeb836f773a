using RagService.Core.Lexical;

namespace RagService.Storage.Sqlite;

/// <summary>
/// The in-memory <see cref="LexicalIndex"/> of each collection, built from the terms stored in SQLite and kept current by
/// this process's writes; a version this process did not write makes the next search rebuild it (see <see cref="VersionedCache{TIndex}"/>).
/// </summary>
internal sealed class LexicalIndexCache(SqliteConnectionFactory connections) : IDisposable
{
    private readonly VersionedCache<LexicalIndex> _cache = new();

    public async Task<LexicalIndex> GetAsync(long collectionId, long currentVersion, CancellationToken ct) =>
        (await _cache.GetAsync(collectionId, currentVersion, () => Load(collectionId), ct))!;

    /// <summary>See <see cref="VersionedCache{TIndex}.LocalWrite"/>.</summary>
    public IDisposable LocalWrite(long collectionId) => _cache.LocalWrite(collectionId);

    public void Apply(long collectionId, long newVersion, IEnumerable<long> removed, IEnumerable<(long Id, string Body, string Header)> added) =>
        _cache.Apply(collectionId, newVersion, index =>
        {
            foreach (var id in removed)
            {
                index.Remove(id);
            }

            foreach (var (id, body, header) in added)
            {
                index.Add(id, Split(body), Split(header));
            }

            return true;
        });

    public void Invalidate(long collectionId) => _cache.Invalidate(collectionId);

    public void Dispose() => _cache.Dispose();

    private (LexicalIndex?, long) Load(long collectionId)
    {
        using var connection = connections.Open();
        using var tx = connection.BeginTransaction(deferred: true);
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT version FROM collections WHERE id = $c";
        cmd.Parameters.AddWithValue("$c", collectionId);
        var version = Convert.ToInt64(cmd.ExecuteScalar() ?? 0L);
        cmd.CommandText = $"SELECT rowid, body, header FROM {SqliteSchema.FtsTable(collectionId)} ORDER BY rowid";
        var index = new LexicalIndex();
        using (var reader = cmd.ExecuteReader())
        {
            while (reader.Read())
            {
                index.Add(reader.GetInt64(0), Split(reader.GetString(1)), Split(reader.GetString(2)));
            }
        }

        tx.Commit();
        return (index, version);
    }

    private static string[] Split(string terms) => terms.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
