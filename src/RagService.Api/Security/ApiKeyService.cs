using Microsoft.Extensions.Options;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>The outcome of checking a presented key: the caller, or why it was refused.</summary>
internal readonly record struct KeyCheck(Caller? Caller, string? Refusal);

/// <summary>Creates keys and checks presented ones against the store and the bootstrap key.</summary>
internal sealed class ApiKeyService
{
    public const string BootstrapId = "bootstrap";

    private readonly IApiKeyStore _store;
    private readonly AuthOptions _options;
    private readonly byte[]? _bootstrapHash;
    private readonly TimeProvider _time;
    private readonly ApiKeyRecordCache _records;

    public ApiKeyService(IApiKeyStore store, IOptions<AuthOptions> options, TimeProvider time)
    {
        _store = store;
        _options = options.Value;
        _time = time;
        _records = new ApiKeyRecordCache(TimeSpan.FromSeconds(_options.CacheSeconds), time);
        _bootstrapHash = _options.ReadBootstrapKey() is { } bootstrap ? ApiKeySecret.Hash(bootstrap) : null;
    }

    public bool HasBootstrapKey => _bootstrapHash is not null;

    public async Task<KeyCheck> CheckAsync(string presented, CancellationToken ct)
    {
        if (_bootstrapHash is not null && ApiKeySecret.Matches(presented, _bootstrapHash))
        {
            return new KeyCheck(new Caller(BootstrapId, BootstrapId, ApiRole.Admin, null, null), null);
        }

        var id = ApiKeySecret.IdOf(presented);
        var record = id is null ? null : await _records.GetAsync(id, _store.GetAsync, ct);
        if (record is null || !ApiKeySecret.Matches(presented, record.SecretHash))
        {
            return new KeyCheck(null, "the API key is not valid");
        }

        if (!record.IsActive)
        {
            return new KeyCheck(null, $"the API key {record.Id} was revoked; ask an admin for a new one");
        }

        var now = _time.GetUtcNow();
        if (record.LastUsedAt is not { } last || now - last >= _options.LastUsedResolution)
        {
            await _store.TouchAsync(record.Id, now, ct);
            _records.Touched(record.Id, now);
        }

        return new KeyCheck(new Caller(record.Id, record.Client, record.Role, record.Collections?.ToHashSet(StringComparer.Ordinal),
            Caller.PrincipalsOf(record.Role, record.Principals)) { DelegateWithin = record.DelegateWithin }, null);
    }

    /// <summary>Creates a key and returns its record with the secret, which exists nowhere else afterwards.</summary>
    public async Task<(ApiKeyRecord Record, string Key)> CreateAsync(string client, ApiRole role, IReadOnlyList<string>? collections,
        IReadOnlyList<string>? principals, IReadOnlyList<string>? delegateWithin, CancellationToken ct)
    {
        var (id, key) = ApiKeySecret.Generate();
        var record = new ApiKeyRecord(id, client, role, collections, ApiKeySecret.Hash(key), _time.GetUtcNow(), null, null)
        {
            Principals = principals,
            DelegateWithin = delegateWithin,
        };
        await _store.CreateAsync(record, _options.MaxActiveKeysPerClient, ct);
        return (record, key);
    }

    /// <summary>Revokes a key; this replica refuses it at once, the others within Rag:Auth:CacheSeconds (<see cref="ApiKeyRecordCache"/>).</summary>
    public async Task<bool> RevokeAsync(string id, CancellationToken ct)
    {
        var revoked = await _store.RevokeAsync(id, _time.GetUtcNow(), ct);
        _records.Forget(id);
        return revoked;
    }
}
