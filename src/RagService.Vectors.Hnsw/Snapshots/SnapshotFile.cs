using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>
/// Encodes an index generation to the snapshot file layout and back. Payload after the header:
/// efConstruction, efSearch, seed, entry node, top level (int32 each); ids (int64 per slot);
/// slot states (byte per slot); vectors (float32, dimension per slot); for HNSW the level-0 link
/// records (int32, 1 + 2M per slot), node levels (byte per slot), upper-level link records and, per slot, the next
/// member of its duplicate group (int32, -1 for none; since format version 2).
/// </summary>
internal static class SnapshotFile
{
    public static void Write(string path, IndexState state, VectorIndexOptions options, long sourceVersion)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = $"{full}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20))
            {
                file.Write(new byte[SnapshotHeader.Size]);
                var payload = new ChecksummedStream(file);
                int slots = state.Vectors.SlotCount;
                WritePayload(payload, state, options, slots);
                var header = new SnapshotHeader(SnapshotHeader.CurrentFormatVersion,
                    state.Graph is null ? SnapshotKind.Exact : SnapshotKind.Hnsw, state.Vectors.Dimension,
                    state.Vectors.LiveCount, slots, state.Graph?.M ?? 0, sourceVersion, payload.Length, payload.Checksum);
                var bytes = new byte[SnapshotHeader.Size];
                header.WriteTo(bytes);
                file.Position = 0;
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Reads the payload described by <paramref name="header"/>; throws <see cref="InvalidDataException"/> on damage.</summary>
    public static (IndexState State, VectorIndexOptions Options) ReadPayload(Stream file, SnapshotHeader header, VectorIndexOptions baseOptions)
    {
        var payload = new ChecksummedStream(file);
        int efConstruction = payload.ReadInt32();
        int efSearch = payload.ReadInt32();
        int seed = payload.ReadInt32();
        int entryNode = payload.ReadInt32();
        int topLevel = payload.ReadInt32();
        var options = baseOptions with { M = header.Kind == SnapshotKind.Hnsw ? header.M : baseOptions.M,
            EfConstruction = efConstruction, EfSearch = efSearch, Seed = seed };
        options.Validate();
        int slots = header.SlotCount;
        var state = IndexState.Create(header.Dimension, options, header.Kind == SnapshotKind.Hnsw);
        state.Vectors.EnsureCapacity(slots);
        foreach (var seg in state.Vectors.Ids.Segments(slots))
        {
            payload.Read(seg.Span);
        }

        foreach (var seg in state.Vectors.States.Segments(slots))
        {
            payload.Read(seg.Span);
        }

        for (int n = 0; n < slots; n++)
        {
            payload.Read(state.Vectors.WritableVector(n));
        }

        int[]?[] upper = [];
        var nextDuplicate = Array.Empty<int>();
        if (state.Graph is { } graph)
        {
            for (int n = 0; n < slots; n++)
            {
                payload.Read(graph.Level0Record(n));
            }

            var levels = new byte[slots];
            payload.Read<byte>(levels);
            upper = new int[]?[slots];
            for (int n = 0; n < slots; n++)
            {
                if (levels[n] == 0)
                {
                    continue;
                }

                upper[n] = new int[levels[n] * (graph.M + 1)];
                payload.Read<int>(upper[n]);
            }

            nextDuplicate = new int[slots];
            payload.Read<int>(nextDuplicate);
        }
        if (payload.Length != header.PayloadLength || file.Position != file.Length)
        {
            throw new InvalidDataException("payload length differs from the header");
        }

        if (payload.Checksum != header.PayloadChecksum)
        {
            throw new InvalidDataException("payload checksum mismatch");
        }

        state.Vectors.RestoreAfterLoad(slots);
        if (state.Vectors.LiveCount != header.LiveCount)
        {
            throw new InvalidDataException("live count differs from the header");
        }

        if (state.Graph is { } g)
        {
            if (entryNode >= slots || (slots > 0 && entryNode < 0))
            {
                throw new InvalidDataException("entry node out of range");
            }

            LinkValidator.Check(g, upper, slots);
            LinkValidator.CheckDuplicateGroups(g, upper, nextDuplicate, entryNode);
            g.RestoreAfterLoad(slots, entryNode, topLevel, n => upper[n], n => nextDuplicate[n]);
        }
        return (state, options);
    }

    private static void WritePayload(ChecksummedStream payload, IndexState state, VectorIndexOptions options, int slots)
    {
        payload.WriteInt32(options.EfConstruction);
        payload.WriteInt32(options.EfSearch);
        payload.WriteInt32(options.Seed);
        payload.WriteInt32(state.Graph?.EntryNode ?? -1);
        payload.WriteInt32(state.Graph?.TopLevel ?? -1);
        foreach (var seg in state.Vectors.Ids.Segments(slots))
        {
            payload.Write(seg.Span);
        }

        foreach (var seg in state.Vectors.States.Segments(slots))
        {
            payload.Write(seg.Span);
        }

        for (int n = 0; n < slots; n++)
        {
            payload.Write(state.Vectors.VectorSpan(n));
        }

        if (state.Graph is not { } graph)
        {
            return;
        }

        for (int n = 0; n < slots; n++)
        {
            payload.Write<int>(graph.Level0Record(n));
        }

        var levels = new byte[slots];
        for (int n = 0; n < slots; n++)
        {
            levels[n] = (byte)graph.LevelOf(n);
        }

        payload.Write<byte>(levels);
        for (int n = 0; n < slots; n++)
        {
            if (graph.UpperLinks(n) is { } links)
            {
                payload.Write<int>(links);
            }
        }

        var nextDuplicate = new int[slots];
        for (int n = 0; n < slots; n++)
        {
            nextDuplicate[n] = graph.Duplicates.Next(n);
        }

        payload.Write<int>(nextDuplicate);
    }
}
