using System.Globalization;

namespace RagService.Vectors.Qdrant;

/// <summary>
/// The payload fields of a point (one chunk). Times are stored twice over: as the store's round-trip text for readers,
/// and as whole seconds plus the 100 ns ticks within the second for the filters, because Qdrant's ranges compare
/// doubles: ticks since 1970 (~1.8e16) are beyond a double's exact integers, seconds and sub-second ticks are not, so
/// the pair compares exactly like the store's text does.
/// </summary>
internal static class QdrantPayload
{
    public const string ChunkId = "chunk_id";
    public const string DocumentId = "doc_id";
    public const string Metadata = "metadata";
    public const string MetadataPairs = "metadata_pairs";
    public const string Created = "created";
    public const string Updated = "updated";
    public const string CreatedSeconds = "created_s";
    public const string CreatedTicks = "created_t";
    public const string UpdatedSeconds = "updated_s";
    public const string UpdatedTicks = "updated_t";

    /// <summary>Every "/"-terminated prefix of the document id ("a/", "a/b/" for "a/b/c.md"): a folder filter is one keyword match.</summary>
    public const string DocumentFolders = "doc_folders";

    /// <summary>
    /// The metadata values that read as numbers or dates (<see cref="Core.Storage.MetadataValues"/>): a list of objects
    /// {key, number?, date?}, filtered with a nested condition so that a range and its key hold on the same element.
    /// Written for every value that parses, since the point does not know which keys the collection declares.
    /// </summary>
    public const string MetadataValues = "metadata_values";

    public const string ValueKey = "key";

    public const string ValueNumber = "number";

    public const string ValueDate = "date";

    /// <summary>The document's access list (keywords); absent for a document without one (the collection's default decides).</summary>
    public const string Access = "access";

    /// <summary>Separates key and value in <see cref="MetadataPairs"/>: a control character that metadata text does not carry.</summary>
    private const char PairSeparator = '\u001f';

    /// <summary>The keyword fields, the integer fields and the float fields that get a payload index.</summary>
    public static readonly IReadOnlyList<string> KeywordFields = [DocumentId, MetadataPairs, Access, DocumentFolders, Nested(ValueKey)];

    public static readonly IReadOnlyList<string> IntegerFields = [ChunkId, CreatedSeconds, CreatedTicks, UpdatedSeconds, UpdatedTicks];

    /// <summary>
    /// The typed values of <see cref="MetadataValues"/>: dates too, as they are milliseconds since 1970 (a number,
    /// compared by a range like numbers are), not the RFC 3339 text Qdrant's datetime index reads.
    /// </summary>
    public static readonly IReadOnlyList<string> FloatFields = [Nested(ValueNumber), Nested(ValueDate)];

    /// <summary>A field of the elements of <see cref="MetadataValues"/>, as Qdrant names it for a payload index ("metadata_values[].number").</summary>
    public static string Nested(string field) => MetadataValues + "[]." + field;

    /// <summary>One metadata key/value as one keyword, so "key = value" is one exact keyword match whatever the key holds.</summary>
    public static string Pair(string key, string value) => key + PairSeparator + value;

    public static IEnumerable<string> Folders(string documentId)
    {
        for (var slash = documentId.IndexOf('/'); slash >= 0; slash = documentId.IndexOf('/', slash + 1))
        {
            yield return documentId[..(slash + 1)];
        }
    }

    /// <summary>Whole seconds since 1970 and the 100 ns ticks within that second (0..9,999,999), of the UTC instant.</summary>
    public static (long Seconds, long Ticks) Split(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var within);
        if (within < 0)
        {
            seconds--;
            within += TimeSpan.TicksPerSecond;
        }

        return (seconds, within);
    }

    public static string Text(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
