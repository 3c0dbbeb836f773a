using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Access;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>
/// Appends the WHERE conditions of a <see cref="SearchFilter"/> over the documents table aliased "d": per anyOf key a
/// value in its list; per noneOf key no value in it (or no key); ranges through <see cref="MetadataRange.Matches"/>;
/// ids starting with the prefix (case-sensitive, unlike LIKE).
/// </summary>
internal static class SqlFilter
{
    public static void Append(StringBuilder sql, SqliteCommand cmd, SearchFilter filter, CollectionSettings settings)
    {
        if (filter.Access is { } access)
        {
            AppendAccess(sql, cmd, access, settings);
        }

        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            sql.Append(" AND d.doc_key IN (SELECT value FROM json_each($fdocs))");
            cmd.Parameters.AddWithValue("$fdocs", JsonSerializer.Serialize(ids));
        }

        var i = 0;
        foreach (var (key, value) in filter.Metadata ?? new Dictionary<string, string>())
        {
            sql.Append($" AND json_extract(d.metadata, $fmk{i}) = $fmv{i}");
            AddKey(cmd, i, key, value);
            i++;
        }

        foreach (var (key, values) in filter.MetadataAnyOf ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            sql.Append($" AND json_extract(d.metadata, $fmk{i}) IN (SELECT value FROM json_each($fmv{i}))");
            AddKey(cmd, i, key, JsonSerializer.Serialize(values));
            i++;
        }

        foreach (var (key, values) in filter.MetadataNoneOf ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            sql.Append($" AND (json_extract(d.metadata, $fmk{i}) IS NULL OR json_extract(d.metadata, $fmk{i}) NOT IN (SELECT value FROM json_each($fmv{i})))");
            AddKey(cmd, i, key, JsonSerializer.Serialize(values));
            i++;
        }

        // Ranges run the one parser every engine shares (MetadataValues), as a function on this command's connection.
        var r = 0;
        foreach (var range in filter.MetadataRanges ?? [])
        {
            cmd.Connection!.CreateFunction<string?, bool>($"rag_in_range{r}", range.Matches, isDeterministic: true);
            sql.Append($" AND rag_in_range{r}(json_extract(d.metadata, $frk{r}))");
            cmd.Parameters.AddWithValue($"$frk{r}", JsonPath(range.Key));
            r++;
        }

        if (filter.DocumentIdPrefix is { } prefix)
        {
            sql.Append(" AND substr(d.doc_key, 1, length($fprefix)) = $fprefix");
            cmd.Parameters.AddWithValue("$fprefix", prefix);
        }

        AppendTime(sql, cmd, "d.created_at >= $fcafter", "$fcafter", filter.CreatedAfter);
        AppendTime(sql, cmd, "d.created_at < $fcbefore", "$fcbefore", filter.CreatedBefore);
        AppendTime(sql, cmd, "d.updated_at >= $fuafter", "$fuafter", filter.UpdatedAfter);
        AppendTime(sql, cmd, "d.updated_at < $fubefore", "$fubefore", filter.UpdatedBefore);
    }

    private static void AddKey(SqliteCommand cmd, int i, string key, string value)
    {
        cmd.Parameters.AddWithValue($"$fmk{i}", JsonPath(key));
        cmd.Parameters.AddWithValue($"$fmv{i}", value);
    }

    private static string JsonPath(string key) => "$.\"" + key.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Visible to the scope: the list names one of its principals, or there is no list and the collection leaves such documents open.</summary>
    public static void AppendAccess(StringBuilder sql, SqliteCommand cmd, AccessScope access, CollectionSettings settings)
    {
        sql.Append(settings.UnlistedAccess == UnlistedAccess.Open ? " AND (d.access IS NULL OR " : " AND (d.access IS NOT NULL AND ")
            .Append("EXISTS (SELECT 1 FROM json_each(d.access) a WHERE a.value IN (SELECT value FROM json_each($faccess))))");
        cmd.Parameters.AddWithValue("$faccess", JsonSerializer.Serialize(access.Principals));
    }

    /// <summary>Times are stored as UTC round-trip strings, which sort like the instants they stand for.</summary>
    private static void AppendTime(StringBuilder sql, SqliteCommand cmd, string condition, string parameter, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            sql.Append(" AND ").Append(condition);
            cmd.Parameters.AddWithValue(parameter, time.ToUniversalTime().ToString("O"));
        }
    }
}
