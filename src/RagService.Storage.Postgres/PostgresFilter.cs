using System.Text;
using System.Text.Json;
using Npgsql;
using RagService.Core.Access;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// Appends the WHERE conditions of a <see cref="SearchFilter"/> over the documents table aliased "d", with the SQLite
/// store's semantics: documents the access scope may read; any of the document ids; every metadata pair exactly (jsonb containment of string values);
/// per anyOf key a value in its list, per noneOf key no value in its list (or no key); ids under the prefix; times at
/// or after the "after" bound and strictly before the "before" bound; metadata ranges over the typed values of
/// document_values (<see cref="PostgresMetadataValues"/>), parsed at write time by the shared parser.
/// </summary>
internal static class PostgresFilter
{
    public static void Append(StringBuilder sql, NpgsqlCommand cmd, SearchFilter filter, CollectionInfo collection)
    {
        var settings = collection.Settings;
        if (filter.Access is { } access)
        {
            sql.Append(AccessCondition(settings, Add(cmd, access.Principals.ToArray())));
        }

        if (filter.DocumentIds is { Count: > 0 } ids)
        {
            sql.Append(" AND d.doc_key = ANY(").Append(Add(cmd, ids.ToArray())).Append(')');
        }

        if (filter.Metadata is { Count: > 0 } metadata)
        {
            sql.Append(" AND d.metadata @> ").Append(Add(cmd, JsonSerializer.Serialize(metadata))).Append("::jsonb");
        }

        foreach (var (key, values) in filter.MetadataAnyOf ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            sql.Append(" AND d.metadata ->> ").Append(Add(cmd, key)).Append(" = ANY(").Append(Add(cmd, values.ToArray())).Append(')');
        }

        foreach (var (key, values) in filter.MetadataNoneOf ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            var k = Add(cmd, key);
            sql.Append($" AND (d.metadata ->> {k} IS NULL OR NOT d.metadata ->> {k} = ANY(").Append(Add(cmd, values.ToArray())).Append("))");
        }

        PostgresMetadataValues.AppendRanges(sql, cmd, collection.Id, filter.MetadataRanges ?? []);

        if (filter.DocumentIdPrefix is { } prefix)
        {
            var p = Add(cmd, prefix);
            sql.Append($" AND left(d.doc_key, length({p})) = {p}");
        }

        AppendTime(sql, cmd, "d.created_at >=", filter.CreatedAfter);
        AppendTime(sql, cmd, "d.created_at <", filter.CreatedBefore);
        AppendTime(sql, cmd, "d.updated_at >=", filter.UpdatedAfter);
        AppendTime(sql, cmd, "d.updated_at <", filter.UpdatedBefore);
    }

    /// <summary>
    /// " AND ..." visible to the principals in the text[] <paramref name="principals"/> names: the list overlaps them, or (open collections) there is
    /// none.
    /// </summary>
    public static string AccessCondition(CollectionSettings settings, string principals) =>
        settings.UnlistedAccess == UnlistedAccess.Open ? $" AND (d.access IS NULL OR d.access && {principals}::text[])" : $" AND d.access && {principals}::text[]";

    /// <summary>
    /// Stored times are whole microseconds (<see cref="StoreTime"/>), so for a stored t and any bound T, t ≥ T and
    /// t &lt; T hold exactly when they hold for T rounded up to the microsecond, which PostgreSQL can represent.
    /// </summary>
    private static void AppendTime(StringBuilder sql, NpgsqlCommand cmd, string condition, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            var below = time.UtcTicks % TimeSpan.TicksPerMicrosecond;
            var up = below == 0 ? time : time.AddTicks(TimeSpan.TicksPerMicrosecond - below);
            sql.Append(" AND ").Append(condition).Append(' ').Append(Add(cmd, up.UtcDateTime));
        }
    }

    internal static string Add(NpgsqlCommand cmd, object value)
    {
        cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + cmd.Parameters.Count;
    }
}
