namespace RagService.Core.Storage;

/// <summary>Restricts a search to some documents. Every condition that is set must hold.</summary>
public sealed record SearchFilter
{
    public IReadOnlyList<string>? DocumentIds { get; init; }

    /// <summary>Metadata key/value pairs the document must have (exact match).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public DateTimeOffset? CreatedAfter { get; init; }

    public DateTimeOffset? CreatedBefore { get; init; }

    public DateTimeOffset? UpdatedAfter { get; init; }

    public DateTimeOffset? UpdatedBefore { get; init; }

    public bool IsEmpty => (DocumentIds is null || DocumentIds.Count == 0) && (Metadata is null || Metadata.Count == 0)
        && CreatedAfter is null && CreatedBefore is null && UpdatedAfter is null && UpdatedBefore is null;

    public static SearchFilter None { get; } = new();
}
