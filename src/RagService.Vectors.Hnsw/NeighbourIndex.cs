using RagService.Vectors.Hnsw.Internal;
using RagService.Vectors.Hnsw.Internal.Quantization;
using RagService.Vectors.Hnsw.Snapshots;

namespace RagService.Vectors.Hnsw;

/// <summary>Reads the vector at position i of a caller's data, for bulk loads without copying into arrays.</summary>
public delegate ReadOnlySpan<float> VectorAt(int index);

/// <summary>
/// Common machinery of the in-process indexes: concurrent writes, tombstoned removal, compaction,
/// search routing (graph, exact, filtered) and snapshots. Searches take no lock; writers share a
/// maintenance lock that only compaction and snapshot saving take exclusively.
/// An int8-quantised index calibrates on the first vectors it stores (a bulk load's whole batch, else the first
/// vector) and calibrates again, by compacting in the background, whenever its slots reach twice the count it was
/// calibrated on; a compaction always calibrates on the live vectors.
/// </summary>
public abstract class NeighbourIndex : INeighbourIndex
{
    private const int MinSlotsForAutoCompaction = 1_000;

    private readonly ReaderWriterLockSlim _maintenance = new(LockRecursionPolicy.NoRecursion);
    private readonly bool _withGraph;
    private volatile IndexState _state;
    private int _compacting;
    private Task _backgroundCompaction = Task.CompletedTask;
    private volatile bool _disposed;

    private protected NeighbourIndex(int dimension, VectorIndexOptions? options, bool withGraph)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Options = options ?? new VectorIndexOptions();
        Options.Validate();
        Dimension = dimension;
        _withGraph = withGraph;
        _state = IndexState.Create(dimension, Options, withGraph);
    }

    private protected NeighbourIndex(VectorIndexOptions options, IndexState restored)
    {
        Options = options;
        Dimension = restored.Vectors.Dimension;
        _withGraph = restored.Graph is not null;
        _state = restored;
    }

    public VectorIndexOptions Options { get; }

    public int Dimension { get; }

    public int Count => _state.Vectors.LiveCount;

    /// <summary>Removed or replaced vectors still occupying storage until the next compaction.</summary>
    public int DeletedCount => _state.Vectors.DeletedCount;

    /// <summary>How the graph stores vectors (as loaded: a snapshot's own setting).</summary>
    public VectorQuantization Quantization => _state.Vectors.Quantized ? VectorQuantization.Int8 : VectorQuantization.None;

    /// <summary>
    /// Bytes held by vector, id, state and link storage in memory (the dominant part of the footprint; a quantised
    /// index's float file is not counted).
    /// </summary>
    public long StorageBytes => _state.Vectors.AllocatedBytes + (_state.Graph?.AllocatedBytes ?? 0);

    internal IndexState State => _state;

    /// <summary>Test hook: runs inside <see cref="Compact"/> after the new generation is built, before it replaces the old one.</summary>
    internal Action? CompactionBuilt { get; set; }

    /// <summary>Test hook: the automatic compaction queued last (completed when none was).</summary>
    internal Task BackgroundCompaction => Volatile.Read(ref _backgroundCompaction);

    public void Upsert(long id, ReadOnlySpan<float> vector)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _maintenance.EnterReadLock();
        try
        {
            var state = _state;
            if (state.Vectors is { Quantized: true, Quantizer: null })
            {
                var first = vector.ToArray();
                state.Vectors.Calibrate(() => ScalarQuantizer.Calibrate(Dimension, 1, _ => first));
            }

            int slot = state.Vectors.Append(id, vector);
            state.Graph?.Insert(slot);
            state.Vectors.Publish(slot);
        }
        finally
        {
            _maintenance.ExitReadLock();
        }
        MaybeCompactInBackground();
    }

    /// <summary>
    /// Upserts <paramref name="count"/> vectors on <paramref name="threads"/> threads (0: all cores); with
    /// <see cref="VectorIndexOptions.DeterministicBuild"/> on one thread, in order.
    /// </summary>
    public void UpsertMany(int count, Func<int, long> idAt, VectorAt vectorAt, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int workers = Options.DeterministicBuild ? 1 : threads > 0 ? threads : Environment.ProcessorCount;
        Calibrate(count, vectorAt);
        ParallelWork.Run(count, workers, i => Upsert(idAt(i), vectorAt(i)));
    }

    /// <summary>
    /// Calibrates an int8 index that has no calibration yet on these vectors (a bulk load calls it with everything it
    /// is about to store, so the range covers the whole collection); no effect otherwise.
    /// </summary>
    internal void Calibrate(int count, VectorAt vectorAt)
    {
        if (count > 0)
        {
            _state.Vectors.Calibrate(() => ScalarQuantizer.Calibrate(Dimension, count, vectorAt));
        }
    }

    /// <summary>The same over a stream of vectors, read once and not held (a rebuild's first pass over the store).</summary>
    internal void Calibrate(IEnumerable<float[]> vectors) => _state.Vectors.Calibrate(() => ScalarQuantizer.Calibrate(Dimension, vectors));

    public bool Remove(long id)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        bool removed;
        _maintenance.EnterReadLock();
        try
        {
            removed = _state.Vectors.Remove(id);
        }
        finally
        {
            _maintenance.ExitReadLock();
        }
        if (removed)
        {
            MaybeCompactInBackground();
        }

        return removed;
    }

    public IReadOnlyList<NeighbourHit> Search(ReadOnlySpan<float> query, int k, Func<long, bool>? filter = null, int? efSearch = null)
    {
        CheckQuery(query, k, efSearch);
        var state = _state;
        var hits = SearchRouter.Search(state, Options, query, k, filter, efSearch ?? Options.DefaultEf(k));
        // The generation owns the memory-mapped float vectors of an int8 index: keep it alive until its pointers are done.
        GC.KeepAlive(state);
        return hits;
    }

    /// <summary>
    /// Top k among an explicit set of allowed ids (a collection's or documents' chunks). Small sets are
    /// scored directly; large ones become a filter over the graph search.
    /// </summary>
    public IReadOnlyList<NeighbourHit> Search(ReadOnlySpan<float> query, int k, IReadOnlyCollection<long> allowedIds, int? efSearch = null)
    {
        ArgumentNullException.ThrowIfNull(allowedIds);
        CheckQuery(query, k, efSearch);
        var state = _state;
        var hits = SearchRouter.SearchAllowed(state, Options, query, k, allowedIds, efSearch ?? Options.DefaultEf(k));
        GC.KeepAlive(state);
        return hits;
    }

    /// <summary>Rebuilds storage and graph from the live vectors only, dropping tombstones. Searches continue meanwhile; writers wait.</summary>
    public void Compact()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _maintenance.EnterWriteLock();
        try
        {
            var old = _state;
            var live = old.Vectors.LiveEntries().ToArray();
            var quantizer = old.Vectors.Quantized && live.Length > 0
                ? ScalarQuantizer.Calibrate(Dimension, live.Length, i => old.Vectors.VectorSpan(live[i].Slot))
                : null;
            var fresh = IndexState.Create(Dimension, Options, _withGraph, quantizer);
            BulkInsert(fresh, live.Length, i => live[i].Id, i => old.Vectors.VectorSpan(live[i].Slot), Options.EffectiveBuildThreads);
            CompactionBuilt?.Invoke();
            _state = fresh;
        }
        finally
        {
            _maintenance.ExitWriteLock();
        }
    }

    /// <summary>Writes a snapshot atomically (temp file + rename). Writers wait meanwhile; searches do not.</summary>
    public void SaveSnapshot(string path, long sourceVersion)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _maintenance.EnterWriteLock();
        try
        {
            SnapshotFile.Write(path, _state, Options, sourceVersion);
        }
        finally
        {
            _maintenance.ExitWriteLock();
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!disposing)
        {
            return;
        }
        // Wait for a running background compaction before releasing the lock it uses.
        _maintenance.EnterWriteLock();
        _maintenance.ExitWriteLock();
        _maintenance.Dispose();
    }

    private static void BulkInsert(IndexState target, int count, Func<int, long> idAt, VectorAt vectorAt, int threads)
    {
        var slots = new int[count];
        for (int i = 0; i < count; i++)
        {
            slots[i] = target.Vectors.Append(idAt(i), vectorAt(i));
        }

        ParallelWork.Run(count, threads, i =>
        {
            target.Graph?.Insert(slots[i]);
            target.Vectors.Publish(slots[i]);
        });
    }

    private void MaybeCompactInBackground()
    {
        double ratio = Options.AutoCompactDeletedRatio;
        var vectors = _state.Vectors;
        int slots = vectors.SlotCount;
        bool recalibrate = vectors.Quantizer is { } quantizer && slots >= 2L * quantizer.CalibratedOn;
        if (!recalibrate && (ratio <= 0 || slots < MinSlotsForAutoCompaction || vectors.DeletedCount <= ratio * slots))
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _compacting, 1, 0) != 0)
        {
            return;
        }

        Volatile.Write(ref _backgroundCompaction, Task.Run(() =>
        {
            try
            {
                if (!_disposed)
                {
                    Compact();
                }
            }
            catch (ObjectDisposedException)
            {
                // The index was disposed while compaction was queued.
            }
            finally
            {
                Volatile.Write(ref _compacting, 0);
            }
        }));
    }

    private void CheckQuery(ReadOnlySpan<float> query, int k, int? efSearch)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (query.Length != Dimension)
        {
            throw new ArgumentException($"Query has {query.Length} dimensions, the index {Dimension}.", nameof(query));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (efSearch is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(efSearch));
        }
    }
}
