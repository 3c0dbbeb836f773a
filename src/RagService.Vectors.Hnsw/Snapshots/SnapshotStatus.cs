namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>What a snapshot load found.</summary>
public enum SnapshotStatus
{
    /// <summary>The snapshot was valid and current; the index was loaded from it.</summary>
    Loaded,
    /// <summary>No snapshot file exists.</summary>
    Missing,
    /// <summary>The file is truncated, damaged or not a snapshot.</summary>
    Corrupt,
    /// <summary>The snapshot is intact but was taken at a different source version than the store's.</summary>
    Stale,
    /// <summary>The snapshot is intact but does not fit the requested dimension, kind or M, or is of another format version.</summary>
    Incompatible,
}

/// <summary>Result of <see cref="VectorIndexSnapshot.TryLoad"/>: the index when loaded, else why not.</summary>
public sealed record SnapshotLoadResult(SnapshotStatus Status, NeighbourIndex? Index, string Detail, long? SnapshotSourceVersion);
