namespace RagService.Core.Storage;

/// <summary>
/// One search or ask that may be answered from this replica's local state when the store cannot be reached. Rules:
/// <list type="bullet">
/// <item>Only reads inside a scope fall back (<see cref="Current"/> is set for the request's whole async flow); every
/// other caller (writes, the change follower, stats) still meets the store's fault.</item>
/// <item>A read that falls back calls <see cref="Degrade"/>: the response then says it was served from local state
/// (<see cref="Reason"/>, the first fault met) at the version the replica last read from the store.</item>
/// <item>What cannot be answered locally (a chunk this replica does not hold, a principal-limited or metadata filter,
/// a collection it never looked up) still fails with the store's fault: a 503, never a guess.</item>
/// </list>
/// </summary>
public sealed class LocalStateScope : IDisposable
{
    private static readonly AsyncLocal<LocalStateScope?> Ambient = new();
    private readonly LocalStateScope? _outer;
    private string? _reason;

    private LocalStateScope(LocalStateScope? outer) => _outer = outer;

    /// <summary>The scope of the search running on this async flow; null outside one.</summary>
    public static LocalStateScope? Current => Ambient.Value;

    /// <summary>The first store fault a read of this scope fell back from; null while every read reached the store.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    public bool Degraded => Reason is not null;

    /// <summary>Starts a scope on the calling flow (dispose it to end it).</summary>
    public static LocalStateScope Begin()
    {
        var scope = new LocalStateScope(Ambient.Value);
        Ambient.Value = scope;
        return scope;
    }

    /// <summary>Records that a read was answered locally because of <paramref name="fault"/>.</summary>
    public void Degrade(StorageUnavailableException fault) => Interlocked.CompareExchange(ref _reason, fault.Message, null);

    public void Dispose() => Ambient.Value = _outer;
}
