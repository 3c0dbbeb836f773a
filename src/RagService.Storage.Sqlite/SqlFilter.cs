using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>Appends the WHERE conditions of a <see cref="SearchFilter"/> over the documents table aliased "d".</summary>
internal static class SqlFilter
{
    public static void Append(StringBuilder sql, SqliteCommand cmd, SearchFilter filter)
    {
        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            sql.Append(" AND d.doc_key IN (SELECT value FROM json_each($fdocs))");
            cmd.Parameters.AddWithValue("$fdocs", JsonSerializer.Serialize(ids));
        }

        var i = 0;
        foreach (var (key, value) in filter.Metadata ?? new Dictionary<string, string>())
        {
            sql.Append($" AND json_extract(d.metadata, $fmk{i}) = $fmv{i}");
            cmd.Parameters.AddWithValue($"$fmk{i}", "$.\"" + key.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"");
            cmd.Parameters.AddWithValue($"$fmv{i}", value);
            i++;
        }

        if (filter.UpdatedAfter is { } after)
        {
            sql.Append(" AND d.updated_at >= $fafter");
            cmd.Parameters.AddWithValue("$fafter", after.ToUniversalTime().ToString("O"));
        }

        if (filter.UpdatedBefore is { } before)
        {
            sql.Append(" AND d.updated_at < $fbefore");
            cmd.Parameters.AddWithValue("$fbefore", before.ToUniversalTime().ToString("O"));
        }
    }
}
