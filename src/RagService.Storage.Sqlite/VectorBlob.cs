using System.Runtime.InteropServices;

namespace RagService.Storage.Sqlite;

/// <summary>float32 vectors stored as little-endian blobs.</summary>
public static class VectorBlob
{
    public static byte[] ToBytes(ReadOnlySpan<float> vector) => MemoryMarshal.AsBytes(vector).ToArray();

    public static float[] FromBytes(byte[] blob) => MemoryMarshal.Cast<byte, float>(blob).ToArray();
}
