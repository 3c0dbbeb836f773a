namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>
/// Writes the real-embedding test fixture: int32 chunk count, int32 query count, int32 dimension, then the chunk
/// vectors and the query vectors as little-endian float16 (tests/RagService.Vectors.Hnsw.Tests reads it).
/// </summary>
internal static class RealTextFixture
{
    public static void Write(string path, float[][] chunks, float[][] queries)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write(chunks.Length);
        writer.Write(queries.Length);
        writer.Write(chunks[0].Length);
        foreach (var v in chunks.Concat(queries))
        {
            foreach (float x in v)
            {
                writer.Write((Half)x);
            }
        }
    }
}
