using RagService.Vectors.Hnsw.Internal;
using RagService.Vectors.Hnsw.Internal.Quantization;

namespace RagService.Vectors.Hnsw.Snapshots;

/// <summary>
/// Encodes an index generation to the snapshot file layout and back. Payload after the header:
/// efConstruction, efSearch, seed, entry node, top level, quantisation (int32 each; quantisation since format
/// version 4: 0 none, 1 int8); ids (int64 per slot); slot states (byte per slot); vectors (float32, dimension per
/// slot); for int8 the calibration (int32 vectors calibrated on, float32 min and step per dimension) and the codes
/// (byte, dimension per slot); for HNSW the level-0 link
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
        var quantization = header.FormatVersion >= 4 ? (VectorQuantization)payload.ReadInt32() : VectorQuantization.None;
        if (!Enum.IsDefined(quantization) || (header.Kind == SnapshotKind.Exact && quantization != VectorQuantization.None))
        {
            throw new InvalidDataException($"unknown vector quantisation {(int)quantization}");
        }

        if (header.Kind == SnapshotKind.Hnsw && quantization != baseOptions.Quantization)
        {
            throw new SnapshotIncompatibleException(
                $"snapshot vectors are {Describe(quantization)}, Rag:Vectors:Quantization is {Describe(baseOptions.Quantization)}");
        }

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

        if (state.Vectors.FloatFile is { } floats)
        {
            floats.FillFrom(slots, span => payload.Read(span));
            ReadCalibration(payload, state.Vectors, header.Dimension);
            for (int n = 0; n < slots; n++)
            {
                payload.Read(state.Vectors.WritableCodes(n));
            }
        }
        else
        {
            for (int n = 0; n < slots; n++)
            {
                payload.Read(state.Vectors.WritableVector(n));
            }
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

    /// <summary>Vectors calibrated on (0: not calibrated, no vector stored yet), then min and step per dimension.</summary>
    private static void WriteCalibration(ChecksummedStream payload, ScalarQuantizer? quantizer, int dimension)
    {
        payload.WriteInt32(quantizer?.CalibratedOn ?? 0);
        payload.Write(quantizer is null ? new float[dimension] : quantizer.Min);
        payload.Write(quantizer is null ? new float[dimension] : quantizer.Step);
    }

    private static void ReadCalibration(ChecksummedStream payload, VectorCollection vectors, int dimension)
    {
        int calibratedOn = payload.ReadInt32();
        var min = new float[dimension];
        var step = new float[dimension];
        payload.Read<float>(min);
        payload.Read<float>(step);
        if (calibratedOn < 0)
        {
            throw new InvalidDataException("negative calibration count");
        }

        if (calibratedOn > 0)
        {
            vectors.RestoreQuantizer(new ScalarQuantizer(min, step, calibratedOn));
        }
    }

    private static string Describe(VectorQuantization quantization) => quantization == VectorQuantization.Int8 ? "int8" : "none (float32)";

    private static void WritePayload(ChecksummedStream payload, IndexState state, VectorIndexOptions options, int slots)
    {
        payload.WriteInt32(options.EfConstruction);
        payload.WriteInt32(options.EfSearch);
        payload.WriteInt32(options.Seed);
        payload.WriteInt32(state.Graph?.EntryNode ?? -1);
        payload.WriteInt32(state.Graph?.TopLevel ?? -1);
        payload.WriteInt32(state.Vectors.Quantized ? (int)VectorQuantization.Int8 : (int)VectorQuantization.None);
        foreach (var seg in state.Vectors.Ids.Segments(slots))
        {
            payload.Write(seg.Span);
        }

        foreach (var seg in state.Vectors.States.Segments(slots))
        {
            payload.Write(seg.Span);
        }

        if (state.Vectors.FloatFile is { } floats)
        {
            floats.CopyTo(slots, span => payload.Write(span));
            WriteCalibration(payload, state.Vectors.Quantizer, state.Vectors.Dimension);
            for (int n = 0; n < slots; n++)
            {
                payload.Write<byte>(state.Vectors.WritableCodes(n));
            }
        }
        else
        {
            for (int n = 0; n < slots; n++)
            {
                payload.Write(state.Vectors.VectorSpan(n));
            }
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
