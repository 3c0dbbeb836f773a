namespace RagService.Core.Access;

/// <summary>Bounds of the visible-chunk cache (section Rag:AccessCache), see <see cref="VisibleChunkCache"/>.</summary>
public sealed record VisibleChunkCacheOptions
{
    public const string SectionName = "Rag:AccessCache";

    /// <summary>Most (collection, version, scope) sets held; the least recently used goes first. 0 turns the cache off.</summary>
    public int MaxEntries { get; init; } = 256;

    /// <summary>Most memory the held sets may take together, MiB (a 100,000-chunk collection's set takes about 12 KiB).</summary>
    public int MaxMegabytes { get; init; } = 64;

    public void Validate()
    {
        if (MaxEntries is < 0 or > 1_000_000 || MaxMegabytes is < 1 or > 65_536)
        {
            throw new ArgumentException(
                $"{SectionName} needs 0 <= MaxEntries <= 1000000 and 1 <= MaxMegabytes <= 65536 (got MaxEntries={MaxEntries}, MaxMegabytes={MaxMegabytes})");
        }
    }
}
