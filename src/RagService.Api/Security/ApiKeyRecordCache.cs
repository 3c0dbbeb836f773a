using System.Collections.Concurrent;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// The stored key records this replica read recently, so that an authenticated request does not read the store each
/// time (a round trip per request on PostgreSQL). Rules:
/// <list type="bullet">
/// <item>An entry answers for less than <c>Rag:Auth:CacheSeconds</c> after it was read from the store (by the
/// <see cref="TimeProvider"/>'s clock); then the store is read again. A key revoked through another replica is
/// therefore refused here within that time, whether or not anything tells this replica.</item>
/// <item>A revocation through this replica forgets the entry at once (<see cref="Forget"/>).</item>
/// <item>Only keys the store has are kept: an unknown id is looked up each time, so a key created through another
/// replica works here at once. Entries are at most one per stored key.</item>
/// <item>The presented secret is still checked against the kept hash on every request; only the read is saved.</item>
/// <item>0 seconds keeps nothing: every request reads the store.</item>
/// </list>
/// </summary>
internal sealed class ApiKeyRecordCache(TimeSpan lifetime, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, (ApiKeyRecord Record, DateTimeOffset ReadAt)> _entries = new(StringComparer.Ordinal);

    public async Task<ApiKeyRecord?> GetAsync(string id, Func<string, CancellationToken, Task<ApiKeyRecord?>> read, CancellationToken ct)
    {
        if (lifetime <= TimeSpan.Zero)
        {
            return await read(id, ct);
        }

        if (_entries.TryGetValue(id, out var entry) && time.GetUtcNow() - entry.ReadAt < lifetime)
        {
            return entry.Record;
        }

        var readAt = time.GetUtcNow();
        var record = await read(id, ct);
        if (record is null)
        {
            _entries.TryRemove(id, out _);
        }
        else
        {
            _entries[id] = (record, readAt);
        }

        return record;
    }

    /// <summary>Records a "last used" write in the kept entry, so that it is not written again on the next requests.</summary>
    public void Touched(string id, DateTimeOffset at)
    {
        if (_entries.TryGetValue(id, out var entry))
        {
            _entries.TryUpdate(id, (entry.Record with { LastUsedAt = at }, entry.ReadAt), entry);
        }
    }

    public void Forget(string id) => _entries.TryRemove(id, out _);
}
