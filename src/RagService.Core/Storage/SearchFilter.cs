using RagService.Core.Access;

namespace RagService.Core.Storage;

/// <summary>Restricts a search to some documents. Every condition that is set must hold.</summary>
public sealed record SearchFilter
{
    public IReadOnlyList<string>? DocumentIds { get; init; }

    /// <summary>Metadata key/value pairs the document must have (exact match).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Per key, the values of which the document's must be one (it must have the key).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MetadataAnyOf { get; init; }

    /// <summary>Per key, values the document's must not be; a document without the key passes.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? MetadataNoneOf { get; init; }

    /// <summary>Ranges on metadata keys the collection declares as numbers or dates (<see cref="CollectionSettings.MetadataTypes"/>).</summary>
    public IReadOnlyList<MetadataRange>? MetadataRanges { get; init; }

    /// <summary>Only documents whose id starts with this folder, "/"-terminated ("handbook/hr/"; ids of synced files are their paths).</summary>
    public string? DocumentIdPrefix { get; init; }

    public DateTimeOffset? CreatedAfter { get; init; }

    public DateTimeOffset? CreatedBefore { get; init; }

    public DateTimeOffset? UpdatedAfter { get; init; }

    public DateTimeOffset? UpdatedBefore { get; init; }

    /// <summary>
    /// Whom the search acts for: only documents this scope may read are searched, inside every engine, before top-k
    /// (<see cref="AccessScope.Allows"/> with the collection's <see cref="CollectionSettings.UnlistedAccess"/>). Null: an admin, everything.
    /// </summary>
    public AccessScope? Access { get; init; }

    public bool IsEmpty => Access is null && (DocumentIds is null || DocumentIds.Count == 0) && (Metadata is null || Metadata.Count == 0)
        && (MetadataAnyOf is null || MetadataAnyOf.Count == 0) && (MetadataNoneOf is null || MetadataNoneOf.Count == 0)
        && (MetadataRanges is null || MetadataRanges.Count == 0) && DocumentIdPrefix is null
        && CreatedAfter is null && CreatedBefore is null && UpdatedAfter is null && UpdatedBefore is null;

    public static SearchFilter None { get; } = new();
}
