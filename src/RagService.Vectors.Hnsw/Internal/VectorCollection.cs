using System.Collections.Concurrent;
using RagService.Vectors.Hnsw.Internal.Quantization;

namespace RagService.Vectors.Hnsw.Internal;

/// <summary>
/// Append-only storage of vectors with their ids and slot states, plus the id → live slot map.
/// An update writes a new slot and retires the old one, so readers never see a torn vector.
/// Each slot's record can start with a header of ints (the HNSW level-0 links), padded to a cache
/// line, so that expanding a node reads its links from the block that already holds its vector.
/// A quantised collection keeps int8 codes in the slot records instead (what the graph reads) and the float vectors
/// in a memory-mapped file (what re-scoring and exact scans read); its quantiser is calibrated once, before the
/// first vector is stored (<see cref="Calibrate"/>).
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
    private readonly FloatVectorFile? _floats;
    private readonly Lock _calibrationLock = new();
    private volatile ScalarQuantizer? _quantizer;

    public VectorCollection(int dimension, int headerInts = 0)
    {
        Dimension = dimension;
        HeaderInts = headerInts;
        _headerFloats = (headerInts + 15) & ~15;
        _vectors = new PinnedChunkedBuffer<float>(_headerFloats + dimension);
    }

    /// <summary>A quantised collection: int8 codes in the records, floats in a file in <paramref name="floatDirectory"/>.</summary>
    public VectorCollection(int dimension, int headerInts, string? floatDirectory, ScalarQuantizer? quantizer)
    {
        Dimension = dimension;
        HeaderInts = headerInts;
        _headerFloats = (headerInts + 15) & ~15;
        _vectors = new PinnedChunkedBuffer<float>(_headerFloats + (dimension + sizeof(float) - 1) / sizeof(float));
        _floats = new FloatVectorFile(dimension, floatDirectory);
        _quantizer = quantizer;
    }

    /// <summary>Whether the graph reads int8 codes (<see cref="Codes"/>) rather than the float vectors.</summary>
    public bool Quantized => _floats is not null;

    /// <summary>The calibration of a quantised collection; null before its first vector, and always for a float one.</summary>
    public ScalarQuantizer? Quantizer => _quantizer;

    /// <summary>The int8 codes of a slot of a quantised collection.</summary>
    public byte* Codes(int slot) => (byte*)(_vectors[slot] + _headerFloats);

    internal Span<byte> WritableCodes(int slot) => new(Codes(slot), Dimension);

    /// <summary>What the graph compares: the codes of a quantised collection, else the float vector.</summary>
    public byte* GraphVector(int slot) => _floats is null ? (byte*)Vector(slot) : Codes(slot);

    public int GraphVectorBytes => _floats is null ? Dimension * sizeof(float) : Dimension;

    /// <summary>
    /// Sets the quantiser of a quantised collection that has none yet (from the vectors about to be stored); false
    /// when it already has one.
    /// </summary>
    public bool Calibrate(Func<ScalarQuantizer?> calibrate)
    {
        if (_floats is null || _quantizer is not null)
        {
            return false;
        }

        lock (_calibrationLock)
        {
            if (_quantizer is not null || calibrate() is not { } quantizer)
            {
                return false;
            }

            _quantizer = quantizer;
            return true;
        }
    }

    internal void RestoreQuantizer(ScalarQuantizer quantizer) => _quantizer = quantizer;

    internal FloatVectorFile? FloatFile => _floats;

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

    public float* Vector(int slot) => _floats is null ? _vectors[slot] + _headerFloats : _floats[slot];

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
        if (_floats is null)
        {
            vector.CopyTo(new Span<float>(Vector(slot), Dimension));
        }
        else
        {
            var quantizer = _quantizer ?? throw new InvalidOperationException("a quantised collection stores no vector before it is calibrated");
            _floats.Write(slot, vector);
            quantizer.Encode(vector, WritableCodes(slot));
        }

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

    /// <summary>Bytes of the in-memory records (the float file of a quantised collection is not counted).</summary>
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
        _floats?.EnsureCapacity(slots);
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
