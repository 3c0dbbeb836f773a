namespace RagService.Core.Security;

/// <summary>What a key may do. Each role includes the ones below it.</summary>
public enum ApiRole
{
    /// <summary>Search, ask, read collections, documents and jobs.</summary>
    Reader = 1,

    /// <summary>Plus ingest, sync and delete documents.</summary>
    Writer = 2,

    /// <summary>Plus create and delete collections, manage keys, read metrics.</summary>
    Admin = 3,
}

/// <summary>A stored API key. The secret itself is never stored, only its SHA-256.</summary>
/// <param name="Id">Public key id, the prefix of the key; safe to log.</param>
/// <param name="Client">Who the key was given to; at most <c>MaxActiveKeysPerClient</c> active keys per client (rotation).</param>
/// <param name="Collections">The collections the key may touch; null = every collection.</param>
public sealed record ApiKeyRecord(
    string Id, string Client, ApiRole Role, IReadOnlyList<string>? Collections, byte[] SecretHash,
    DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public bool IsActive => RevokedAt is null;

    /// <summary>
    /// The key's own principals (see <see cref="Access.AccessScope"/>); null or empty: it sees only unlisted documents of open collections. Admin
    /// keys see everything.
    /// </summary>
    public IReadOnlyList<string>? Principals { get; init; }

    /// <summary>
    /// The delegate permission: the patterns within which the key may name an end user's principals (a header per
    /// request), e.g. "user:*@corp.example", "group:support-*"; null: the key cannot delegate.
    /// </summary>
    public IReadOnlyList<string>? DelegateWithin { get; init; }
}

/// <summary>The client already has its maximum of active keys; one must be revoked first.</summary>
public sealed class TooManyActiveKeysException(string client, int max)
    : Exception($"client '{client}' already has {max} active keys; revoke one (DELETE /v1/keys/{{id}} or 'rag keys revoke ID') before creating another")
{
    public string Client { get; } = client;
}
