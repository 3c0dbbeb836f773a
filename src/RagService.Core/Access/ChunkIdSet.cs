using System.Collections;
using System.Numerics;

namespace RagService.Core.Access;

/// <summary>
/// An immutable set of chunk ids with an O(1) <see cref="Contains"/>, kept small: a bitset over the span from the
/// smallest to the largest id when the ids are dense enough (a collection's chunk ids mostly are: the store hands them
/// out in order), a hash set otherwise. <see cref="Bytes"/> is what it holds, for the cache's bound.
/// </summary>
public sealed class ChunkIdSet : IReadOnlySet<long>
{
    // A bitset spends span/8 bytes; a hash set about 24 bytes per id. The bitset wins while span <= 192 x count.
    private const long MaxSpanPerId = 192;
    private const long HashSetBytesPerId = 24;

    private readonly long _first;
    private readonly ulong[]? _bits;
    private readonly HashSet<long>? _hashed;

    private ChunkIdSet(long first, ulong[]? bits, HashSet<long>? hashed, int count)
    {
        _first = first;
        _bits = bits;
        _hashed = hashed;
        Count = count;
    }

    public static ChunkIdSet Empty { get; } = new(0, [], null, 0);

    public int Count { get; }

    /// <summary>Memory held by the set's storage.</summary>
    public long Bytes => _bits is not null ? _bits.LongLength * sizeof(ulong) : Count * HashSetBytesPerId;

    public static ChunkIdSet From(IEnumerable<long> ids)
    {
        var distinct = ids as IReadOnlySet<long> ?? ids.ToHashSet();
        if (distinct.Count == 0)
        {
            return Empty;
        }

        long min = long.MaxValue, max = long.MinValue;
        foreach (var id in distinct)
        {
            min = Math.Min(min, id);
            max = Math.Max(max, id);
        }

        var span = max - min + 1;
        if (span <= 0 || span / MaxSpanPerId > distinct.Count || span / 64 + 1 > Array.MaxLength)
        {
            return new ChunkIdSet(0, null, distinct as HashSet<long> ?? distinct.ToHashSet(), distinct.Count);
        }

        var bits = new ulong[span / 64 + 1];
        foreach (var id in distinct)
        {
            var offset = id - min;
            bits[offset >> 6] |= 1UL << (int)(offset & 63);
        }

        return new ChunkIdSet(min, bits, null, distinct.Count);
    }

    public bool Contains(long item)
    {
        if (_hashed is not null)
        {
            return _hashed.Contains(item);
        }

        var offset = item - _first;
        return offset >= 0 && (offset >> 6) < _bits!.LongLength && (_bits[offset >> 6] & (1UL << (int)(offset & 63))) != 0;
    }

    public IEnumerator<long> GetEnumerator()
    {
        if (_hashed is not null)
        {
            foreach (var id in _hashed)
            {
                yield return id;
            }

            yield break;
        }

        for (long w = 0; w < _bits!.LongLength; w++)
        {
            var word = _bits[w];
            while (word != 0)
            {
                var bit = BitOperations.TrailingZeroCount(word);
                yield return _first + (w << 6) + bit;
                word &= word - 1;
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool IsProperSubsetOf(IEnumerable<long> other) => AsHashSet().IsProperSubsetOf(other);

    public bool IsProperSupersetOf(IEnumerable<long> other) => AsHashSet().IsProperSupersetOf(other);

    public bool IsSubsetOf(IEnumerable<long> other) => AsHashSet().IsSubsetOf(other);

    public bool IsSupersetOf(IEnumerable<long> other) => other.All(Contains);

    public bool Overlaps(IEnumerable<long> other) => other.Any(Contains);

    public bool SetEquals(IEnumerable<long> other) => AsHashSet().SetEquals(other);

    private HashSet<long> AsHashSet() => _hashed ?? this.ToHashSet();
}
