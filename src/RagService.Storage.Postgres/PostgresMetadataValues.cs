using System.Text;
using System.Text.Json;
using Npgsql;
using RagService.Core.Storage;

namespace RagService.Storage.Postgres;

/// <summary>
/// The typed home of metadata values for range filters: document_values holds one row per (document, key, type) for
/// every metadata value that reads as a number or a date (<see cref="MetadataValues.Typed"/>, the parser every engine
/// shares), written in the document's own insert and removed with it (ON DELETE CASCADE). A range is then a btree range
/// scan over (collection_id, key, type, value) instead of reading every document having the key.
/// </summary>
public static class PostgresMetadataValues
{
    /// <summary>Migration 7: the table and its range index (<see cref="BackfillAsync"/> then adds the stored documents' rows).</summary>
    internal const string CreateTable = """
        CREATE TABLE document_values (
            document_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            collection_id bigint NOT NULL,
            key text NOT NULL,
            type text NOT NULL,
            value double precision NOT NULL,
            PRIMARY KEY (document_id, key, type));
        CREATE INDEX document_values_by_range ON document_values(collection_id, key, type, value);
        """;

    /// <summary>
    /// The rows of the document the enclosing statement's CTE "doc" inserts, in collection $1, from the parallel arrays
    /// $13..$15 (<see cref="Columns"/>): a data-modifying CTE of the document's own insert, so one round trip writes both.
    /// </summary>
    internal const string InsertWithDocumentSql = """
        vals AS (INSERT INTO document_values(document_id, collection_id, key, type, value)
            SELECT doc.id, $1, v.key, v.type, v.value FROM doc, unnest($13::text[], $14::text[], $15::float8[]) AS v(key, type, value))
        """;

    private const string InsertSql = """
        INSERT INTO document_values(document_id, collection_id, key, type, value)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::float8[])
        """;

    private const int InsertBatch = 1_000;

    /// <summary>The typed values of a document as the parallel arrays (keys, types, values) <see cref="InsertWithDocumentSql"/> unnests.</summary>
    internal static (string[] Keys, string[] Types, double[] Values) Columns(IReadOnlyDictionary<string, string> metadata)
    {
        var typed = MetadataValues.Typed(metadata).ToList();
        return (typed.Select(t => t.Key).ToArray(), typed.Select(t => MetadataValues.Name(t.Type)).ToArray(), typed.Select(t => t.Value).ToArray());
    }

    /// <summary>The rows of documents written without <see cref="InsertWithDocumentSql"/> (copied in bulk: migrate-store, migration 7), in batches.</summary>
    public static async Task InsertAsync(NpgsqlConnection connection, IEnumerable<(long Row, long Collection, IReadOnlyDictionary<string, string> Metadata)> documents, CancellationToken ct)
    {
        foreach (var batch in documents.Chunk(InsertBatch))
        {
            var rows = batch.SelectMany(d => MetadataValues.Typed(d.Metadata).Select(t => (d.Row, d.Collection, t.Key, Type: MetadataValues.Name(t.Type), t.Value))).ToList();
            if (rows.Count == 0)
            {
                continue;
            }

            await using var cmd = new NpgsqlCommand(InsertSql, connection)
            {
                Parameters =
                {
                    new() { Value = rows.Select(r => r.Row).ToArray() }, new() { Value = rows.Select(r => r.Collection).ToArray() },
                    new() { Value = rows.Select(r => r.Key).ToArray() }, new() { Value = rows.Select(r => r.Type).ToArray() },
                    new() { Value = rows.Select(r => r.Value).ToArray() },
                },
            };
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>Fills the table from the stored documents (migration 7, in its transaction): PostgreSQL's casts are not the shared parser.</summary>
    internal static async Task BackfillAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var documents = new List<(long, long, IReadOnlyDictionary<string, string>)>();
        await using (var read = new NpgsqlCommand("SELECT id, collection_id, metadata::text FROM documents WHERE metadata <> '{}'::jsonb", connection))
        await using (var reader = await read.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                documents.Add((reader.GetInt64(0), reader.GetInt64(1), JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? []));
            }
        }

        await InsertAsync(connection, documents, ct);
    }

    /// <summary>
    /// " AND ..." per range: the document has a row of the range's key and type in the collection
    /// (<paramref name="collectionId"/>) whose value is within every bound, the semantics of <see cref="MetadataRange.Contains"/>.
    /// </summary>
    internal static void AppendRanges(StringBuilder sql, NpgsqlCommand cmd, long collectionId, IReadOnlyList<MetadataRange> ranges)
    {
        foreach (var range in ranges)
        {
            sql.Append(" AND d.id IN (SELECT v.document_id FROM document_values v WHERE v.collection_id = ").Append(PostgresFilter.Add(cmd, collectionId))
                .Append(" AND v.key = ").Append(PostgresFilter.Add(cmd, range.Key)).Append(" AND v.type = ").Append(PostgresFilter.Add(cmd, MetadataValues.Name(range.Type)));
            AppendBound(sql, cmd, ">", range.Gt);
            AppendBound(sql, cmd, ">=", range.Gte);
            AppendBound(sql, cmd, "<", range.Lt);
            AppendBound(sql, cmd, "<=", range.Lte);
            sql.Append(')');
        }
    }

    private static void AppendBound(StringBuilder sql, NpgsqlCommand cmd, string comparison, double? bound)
    {
        if (bound is { } value)
        {
            sql.Append(" AND v.value ").Append(comparison).Append(' ').Append(PostgresFilter.Add(cmd, value)).Append("::float8");
        }
    }
}
