using System.Data.Common;
using System.Text.Json;

namespace RagService.Core.Storage;

/// <summary>
/// How either store reads a <see cref="StoredChunk"/> from its columns (chunks joined with their documents), in this
/// order: chunk id, document key, title, ordinal, text, heading path (a JSON array), page, metadata (a JSON object) and
/// the document's update time. Each store spells the column list in its own SQL.
/// </summary>
public static class StoredChunkColumns
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The chunk from the columns from <paramref name="at"/> on; <paramref name="updatedAt"/> reads the last one in the store's type.</summary>
    public static StoredChunk Read(DbDataReader r, int at, Func<DbDataReader, int, DateTimeOffset> updatedAt) => new(
        r.GetInt64(at),
        r.GetString(at + 1),
        r.IsDBNull(at + 2) ? null : r.GetString(at + 2),
        r.GetInt32(at + 3),
        r.GetString(at + 4),
        JsonSerializer.Deserialize<List<string>>(r.GetString(at + 5), Json) ?? [],
        r.IsDBNull(at + 6) ? null : r.GetInt32(at + 6),
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(at + 7), Json) ?? [],
        updatedAt(r, at + 8));
}
