using System.Collections.Concurrent;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Append-only storage of vectors with their ids and slot states, plus the id → live slot map.
/// An update writes a new slot and retires the old one, so readers never see a torn vector.
/// Each slot's record can start with a header of ints (the HNSW level-0 links), padded to a cache
/// line, so that expanding a node reads its links from the block that already holds its vector.
/// </summary>
internal sealed unsafe class VectorCollection
{
    private const int IdStripes = 64;

    private readonly PinnedChunkedBuffer<float> _vectors;
    private readonly PinnedChunkedBuffer<long> _ids = new(1);
    private readonly PinnedChunkedBuffer<byte> _states = new(1);
    private readonly ConcurrentDictionary<long, int> _slotOf = new();
    private readonly Lock[] _idLocks = Enumerable.Range(0, IdStripes).Select(_ => new Lock()).ToArray();
    private int _reserved;
    private int _live;
    private int _deleted;
    private int _pending;

    private readonly int _headerFloats;

    public VectorCollection(int dimension, int headerInts = 0)
    {
        Dimension = dimension;
        HeaderInts = headerInts;
        _headerFloats = (headerInts + 15) & ~15;
        _vectors = new PinnedChunkedBuffer<float>(_headerFloats + dimension);
    }

    public int HeaderInts { get; }

    /// <summary>Slots that can be addressed without growing.</summary>
    public int Capacity => _vectors.Capacity;

    public int* Header(int slot) => (int*)_vectors[slot];

    public int Dimension { get; }

    /// <summary>
    /// Slots handed out so far that readers may address; slots below this may still be Pending. A writer reserves its
    /// slot before it grows the buffers, so the count is capped by what the buffers (states grow last) already hold.
    /// </summary>
    public int SlotCount => Math.Min(Volatile.Read(ref _reserved), _states.Capacity);

    public int LiveCount => Volatile.Read(ref _live);

    public int DeletedCount => Volatile.Read(ref _deleted);

    /// <summary>True when every stored slot is live: searches may then skip the per-node state check.</summary>
    public bool AllLive => Volatile.Read(ref _deleted) == 0 && Volatile.Read(ref _pending) == 0;

    public float* Vector(int slot) => _vectors[slot] + _headerFloats;

    public ReadOnlySpan<float> VectorSpan(int slot) => new(Vector(slot), Dimension);

    internal Span<float> WritableVector(int slot) => new(Vector(slot), Dimension);

    public long IdAt(int slot) => *_ids[slot];

    public byte StateAt(int slot) => Volatile.Read(ref *_states[slot]);

    public bool IsLive(int slot) => StateAt(slot) == SlotState.Live;

    public bool TryGetSlot(long id, out int slot) => _slotOf.TryGetValue(id, out slot);

    /// <summary>Stores a vector in a fresh Pending slot; <see cref="Publish"/> makes it visible.</summary>
    public int Append(long id, ReadOnlySpan<float> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Vector has {vector.Length} dimensions, the index {Dimension}.", nameof(vector));
        }

        Interlocked.Increment(ref _pending);
        int slot = Interlocked.Increment(ref _reserved) - 1;
        EnsureCapacity(slot + 1);
        vector.CopyTo(new Span<float>(Vector(slot), Dimension));
        *_ids[slot] = id;
        return slot;
    }

    /// <summary>Makes the slot the live one for its id and retires the slot it replaces.</summary>
    public void Publish(int slot)
    {
        long id = IdAt(slot);
        lock (IdLock(id))
        {
            if (_slotOf.TryGetValue(id, out int old))
            {
                Retire(old);
            }
            else
            {
                Interlocked.Increment(ref _live);
            }

            _slotOf[id] = slot;
            Volatile.Write(ref *_states[slot], SlotState.Live);
        }
        Interlocked.Decrement(ref _pending);
    }

    public bool Remove(long id)
    {
        lock (IdLock(id))
        {
            if (!_slotOf.TryRemove(id, out int slot))
            {
                return false;
            }

            Retire(slot);
            Interlocked.Decrement(ref _live);
            return true;
        }
    }

    public IEnumerable<(long Id, int Slot)> LiveEntries()
    {
        int n = SlotCount;
        for (int s = 0; s < n; s++)
        {
            if (IsLive(s))
            {
                yield return (IdAt(s), s);
            }
        }
    }

    public long AllocatedBytes => _vectors.AllocatedBytes + _ids.AllocatedBytes + _states.AllocatedBytes;

    internal PinnedChunkedBuffer<long> Ids => _ids;
    internal PinnedChunkedBuffer<byte> States => _states;

    /// <summary>Rebuilds counters and the id map after the raw buffers were filled from a snapshot.</summary>
    internal void RestoreAfterLoad(int slots)
    {
        _reserved = slots;
        _slotOf.Clear();
        int live = 0, deleted = 0;
        for (int s = 0; s < slots; s++)
        {
            byte state = StateAt(s);
            if (state == SlotState.Live)
            {
                live++;
                if (!_slotOf.TryAdd(IdAt(s), s))
                {
                    throw new InvalidDataException($"Id {IdAt(s)} is live in two slots.");
                }
            }
            else if (state == SlotState.Deleted)
            {
                deleted++;
            }
            else
            {
                throw new InvalidDataException($"Slot {s} has state {state}.");
            }
        }
        _live = live;
        _deleted = deleted;
    }

    internal void EnsureCapacity(int slots)
    {
        _vectors.EnsureCapacity(slots);
        _ids.EnsureCapacity(slots);
        _states.EnsureCapacity(slots);
    }

    private void Retire(int slot)
    {
        Volatile.Write(ref *_states[slot], SlotState.Deleted);
        Interlocked.Increment(ref _deleted);
    }

    private Lock IdLock(long id) => _idLocks[(int)((ulong)id.GetHashCode() % IdStripes)];
}
