namespace RagService.Core.Access;

/// <summary>
/// Whom a read acts for: the principals of the caller (its key's own, a delegated end user's, a token's claims). A
/// document is visible when its access list names one of them, or when it has no list and its collection leaves such
/// documents open (<see cref="UnlistedAccess"/>). Admins read without a scope (null), and see everything.
/// </summary>
public sealed record AccessScope
{
    public AccessScope(IEnumerable<string> principals) =>
        Principals = principals.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Distinct, in ordinal order; may be empty (the caller sees only unlisted documents of open collections).</summary>
    public IReadOnlyList<string> Principals { get; }

    /// <summary>Whether a document with this access list (null: none) is visible in a collection with this setting.</summary>
    public bool Allows(IReadOnlyList<string>? documentAccess, UnlistedAccess unlisted) =>
        documentAccess is null ? unlisted == UnlistedAccess.Open : documentAccess.Any(p => Principals.Contains(p, StringComparer.Ordinal));

    public bool Equals(AccessScope? other) => other is not null && Principals.SequenceEqual(other.Principals, StringComparer.Ordinal);

    public override int GetHashCode() => Principals.Aggregate(17, (h, p) => h * 31 + StringComparer.Ordinal.GetHashCode(p));
}

/// <summary>What a document without an access list means in its collection (a collection setting).</summary>
public enum UnlistedAccess
{
    /// <summary>Every reader of the collection sees it (the default: collections made before access lists keep working).</summary>
    Open,

    /// <summary>Only admins see it.</summary>
    Closed,
}

public static class AccessScopeExtensions
{
    /// <summary>Whether the scope (null: an admin, who reads everything) may read the stored document in its collection.</summary>
    public static bool MayRead(this AccessScope? scope, Storage.DocumentRecord document, Storage.CollectionInfo collection) =>
        scope?.Allows(document.Access, collection.Settings.UnlistedAccess) ?? true;
}
