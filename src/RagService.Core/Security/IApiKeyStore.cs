namespace RagService.Core.Security;

/// <summary>Persists API keys (hashes only).</summary>
public interface IApiKeyStore
{
    /// <summary>
    /// Stores a new key unless its client already has <paramref name="maxActivePerClient"/> active keys (<see cref="TooManyActiveKeysException"/>).
    /// </summary>
    Task CreateAsync(ApiKeyRecord key, int maxActivePerClient, CancellationToken ct);

    Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct);

    /// <summary>Every key, newest first, revoked ones included.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken ct);

    /// <summary>Revokes an active key; false when there is no such key or it was already revoked.</summary>
    Task<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken ct);

    Task TouchAsync(string id, DateTimeOffset at, CancellationToken ct);

    Task<int> CountActiveAsync(CancellationToken ct);
}
