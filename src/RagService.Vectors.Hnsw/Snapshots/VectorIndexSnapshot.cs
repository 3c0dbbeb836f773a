using Microsoft.Extensions.Logging;
using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>
/// Loading of index snapshots, with a verdict (missing / corrupt / stale / incompatible) that lets the
/// caller rebuild from its source of truth. Saving is <see cref="NeighbourIndex.SaveSnapshot"/>.
/// </summary>
public static class VectorIndexSnapshot
{
    private const int RebuildBatch = 8_192;

    /// <summary>Loads a snapshot if it is intact, of the expected kind and dimension, and taken at <paramref name="expectedSourceVersion"/>.</summary>
    public static SnapshotLoadResult TryLoad(string path, long expectedSourceVersion, int dimension,
        SnapshotKind kind = SnapshotKind.Hnsw, VectorIndexOptions? options = null)
    {
        options ??= new VectorIndexOptions();
        if (!File.Exists(path))
        {
            return new(SnapshotStatus.Missing, null, $"no snapshot at {path}", null);
        }

        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            var headerBytes = new byte[SnapshotHeader.Size];
            int read = file.ReadAtLeast(headerBytes, SnapshotHeader.Size, throwOnEndOfStream: false);
            if (SnapshotHeader.TryRead(headerBytes.AsSpan(0, read), out string problem) is not { } header)
            {
                return new(SnapshotStatus.Corrupt, null, problem, null);
            }

            if (header.FormatVersion is < SnapshotHeader.OldestReadableVersion or > SnapshotHeader.CurrentFormatVersion)
            {
                return new(SnapshotStatus.Incompatible, null,
                    $"snapshot format version {header.FormatVersion}, this build reads {SnapshotHeader.OldestReadableVersion}..{SnapshotHeader.CurrentFormatVersion}", header.SourceVersion);
            }

            if (file.Length != SnapshotHeader.Size + header.PayloadLength)
            {
                return new(SnapshotStatus.Corrupt, null, $"file is {file.Length} bytes, header says {SnapshotHeader.Size + header.PayloadLength}", header.SourceVersion);
            }

            if (header.SourceVersion != expectedSourceVersion)
            {
                return new(SnapshotStatus.Stale, null, $"snapshot at source version {header.SourceVersion}, store at {expectedSourceVersion}", header.SourceVersion);
            }

            if (header.Dimension != dimension || header.Kind != kind || (kind == SnapshotKind.Hnsw && header.M != options.M))
            {
                return new(SnapshotStatus.Incompatible, null,
                    $"snapshot is {header.Kind} d={header.Dimension} M={header.M}, wanted {kind} d={dimension} M={options.M}", header.SourceVersion);
            }

            var (state, loadedOptions) = SnapshotFile.ReadPayload(file, header, options);
            NeighbourIndex index = kind == SnapshotKind.Hnsw
                ? new HnswIndex(loadedOptions with { EfSearch = options.EfSearch }, state)
                : new ExactIndex(loadedOptions with { EfSearch = options.EfSearch }, state);
            return new(SnapshotStatus.Loaded, index, $"{header.LiveCount} vectors", header.SourceVersion);
        }
        catch (SnapshotIncompatibleException e)
        {
            return new(SnapshotStatus.Incompatible, null, e.Message, null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or OverflowException)
        {
            return new(SnapshotStatus.Corrupt, null, e.Message, null);
        }
    }

    /// <summary>
    /// Loads the snapshot, or, when it is missing, corrupt, stale or incompatible, builds a fresh index
    /// from <paramref name="source"/> (the store's vectors), saves it as the new snapshot and logs which case happened.
    /// </summary>
    public static LoadOrRebuildResult LoadOrRebuild(string path, long expectedSourceVersion, int dimension,
        Func<IEnumerable<(long Id, float[] Vector)>> source, ILogger logger,
        VectorIndexOptions? options = null, SnapshotKind kind = SnapshotKind.Hnsw)
    {
        ArgumentNullException.ThrowIfNull(source);
        options ??= new VectorIndexOptions();
        var loaded = TryLoad(path, expectedSourceVersion, dimension, kind, options);
        if (loaded.Status == SnapshotStatus.Loaded)
        {
            logger.SnapshotLoaded(path, loaded.Detail, expectedSourceVersion);
            return new LoadOrRebuildResult(loaded.Index!, loaded.Status, loaded.Detail);
        }

        logger.SnapshotUnusable(path, loaded.Status.ToString().ToLowerInvariant(), loaded.Detail);
        var started = DateTime.UtcNow;
        NeighbourIndex index = kind == SnapshotKind.Hnsw ? new HnswIndex(dimension, options) : new ExactIndex(dimension, options);
        if (index.Quantization == VectorQuantization.Int8)
        {
            // A first pass over the source calibrates int8 codes on the whole collection, not on its first batch.
            index.Calibrate(source().Select(entry => entry.Vector));
        }

        // Batches keep the copy of the source small next to the index being built.
        foreach (var batch in source().Chunk(RebuildBatch))
        {
            index.UpsertMany(batch.Length, i => batch[i].Id, i => batch[i].Vector, options.EffectiveBuildThreads);
        }

        index.SaveSnapshot(path, expectedSourceVersion);
        logger.SnapshotRebuilt(index.Count, (DateTime.UtcNow - started).TotalSeconds, path);
        return new LoadOrRebuildResult(index, loaded.Status, loaded.Detail);
    }
}

/// <summary>The ready index and what was found on disk (<see cref="SnapshotStatus.Loaded"/> means no rebuild happened).</summary>
public sealed record LoadOrRebuildResult(NeighbourIndex Index, SnapshotStatus SnapshotStatus, string Detail)
{
    public bool Rebuilt => SnapshotStatus != SnapshotStatus.Loaded;
}

/// <summary>The snapshot is intact but was written with settings this index cannot use (another quantisation).</summary>
internal sealed class SnapshotIncompatibleException(string message) : Exception(message);
