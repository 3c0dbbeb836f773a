using System.Globalization;

namespace RagService.Vectors.Qdrant;

/// <summary>
/// A knowledge base is served through the alias prefix + its name; the alias points at a physical collection
/// prefix + name + "--c{id}g{generation}", so a re-index builds the next generation beside the live one and swaps the
/// alias, and a knowledge base deleted and created again under the same name (another id) never reads the old vectors.
/// </summary>
internal sealed class QdrantCollectionNames(string prefix)
{
    public string Alias(string collectionName) => prefix + collectionName;

    public string Physical(string collectionName, long collectionId, int generation) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}{collectionName}--c{collectionId}g{generation}");

    /// <summary>The collection id and generation a physical name carries; null for a name this service did not make.</summary>
    public (long CollectionId, int Generation)? Parse(string physical)
    {
        var at = physical.LastIndexOf("--c", StringComparison.Ordinal);
        if (!physical.StartsWith(prefix, StringComparison.Ordinal) || at < 0)
        {
            return null;
        }

        var rest = physical[(at + 3)..];
        var g = rest.IndexOf('g', StringComparison.Ordinal);
        return g > 0 && long.TryParse(rest[..g], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            && int.TryParse(rest[(g + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var generation)
            ? (id, generation)
            : null;
    }
}
