using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using RagService.Core.Models;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>
/// Embeds texts once and keeps the vectors in a file keyed by a hash of the model id, purpose and texts, so
/// reruns of the benchmark skip the embedding. Layout: 32-byte SHA-256 key, int32 rows, int32 dim, float32 rows.
/// </summary>
internal static class EmbeddingCache
{
    private const int BatchSize = 32;

    public static float[][] Get(string cacheFile, ITextEmbedder embedder, IReadOnlyList<string> texts, EmbeddingPurpose purpose)
    {
        byte[] key = Key(embedder.ModelId, purpose, texts);
        if (TryRead(cacheFile, key) is { } cached)
        {
            return cached;
        }

        var vectors = new float[texts.Count][];
        var started = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < texts.Count; i += BatchSize)
        {
            var batch = texts.Skip(i).Take(BatchSize).ToList();
            var embedded = embedder.EmbedAsync(batch, purpose, CancellationToken.None).GetAwaiter().GetResult();
            embedded.CopyTo(vectors, i);
            if (i / BatchSize % 20 == 0)
            {
                Console.Error.WriteLine($"[bench] embedded {i + batch.Count}/{texts.Count} ({started.Elapsed.TotalSeconds:F0} s)");
            }
        }
        Write(cacheFile, key, vectors);
        return vectors;
    }

    private static byte[] Key(string modelId, EmbeddingPurpose purpose, IReadOnlyList<string> texts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{modelId}\n{purpose}\n{texts.Count}\n"));
        foreach (var t in texts)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(t + "\u0000"));
        }

        return hash.GetHashAndReset();
    }

    private static float[][]? TryRead(string path, byte[] key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var reader = new BinaryReader(File.OpenRead(path));
        if (!reader.ReadBytes(key.Length).AsSpan().SequenceEqual(key))
        {
            return null;
        }

        int rows = reader.ReadInt32(), dim = reader.ReadInt32();
        var vectors = new float[rows][];
        for (int r = 0; r < rows; r++)
        {
            vectors[r] = new float[dim];
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(vectors[r].AsSpan()));
        }
        Console.Error.WriteLine($"[bench] {rows} vectors from {path}");
        return vectors;
    }

    private static void Write(string path, byte[] key, float[][] vectors)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var writer = new BinaryWriter(File.Create(path + ".tmp")))
        {
            writer.Write(key);
            writer.Write(vectors.Length);
            writer.Write(vectors.Length == 0 ? 0 : vectors[0].Length);
            foreach (var v in vectors)
            {
                writer.Write(MemoryMarshal.AsBytes(v.AsSpan()));
            }
        }
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
