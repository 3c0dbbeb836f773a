using System.Text.Json;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using RagService.Core.Storage;

namespace RagService.Lexical.Lucene;

/// <summary>
/// A chunk's record as search hits show it (<see cref="StoredChunk"/>), kept as one stored, unindexed field of JSON in
/// the chunk's Lucene document: the replica's local copy that answers searches while the store is unreachable. Stored
/// fields are compressed by the codec and read only for the ids asked for, so searching does not pay for them.
/// </summary>
internal static class ChunkRecordField
{
    public const string Name = "record";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly ISet<string> Loaded = new HashSet<string> { Name };

    /// <summary>The field of <paramref name="record"/>; none when the source gave no record.</summary>
    public static IEnumerable<StoredField> Fields(StoredChunk? record) =>
        record is null ? [] : [new StoredField(Name, JsonSerializer.Serialize(record, Json))];

    /// <summary>
    /// The records of the live documents whose id field (<paramref name="idField"/>) is one of <paramref name="chunkIds"/>,
    /// by chunk id; ids without a live document or a record are left out.
    /// </summary>
    public static Dictionary<long, StoredChunk> Read(IndexReader reader, string idField, IEnumerable<long> chunkIds)
    {
        var liveDocs = MultiFields.GetLiveDocs(reader);
        var found = new Dictionary<long, StoredChunk>();
        foreach (var id in chunkIds)
        {
            var docs = MultiFields.GetTermDocsEnum(reader, liveDocs, idField, new BytesRef(id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (docs is null || docs.NextDoc() == DocIdSetIterator.NO_MORE_DOCS)
            {
                continue;
            }

            if (reader.Document(docs.DocID, Loaded).Get(Name) is { } json && JsonSerializer.Deserialize<StoredChunk>(json, Json) is { } record)
            {
                found[id] = record;
            }
        }

        return found;
    }
}
