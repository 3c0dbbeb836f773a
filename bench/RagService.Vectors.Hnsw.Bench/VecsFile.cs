using System.Runtime.InteropServices;

namespace RagService.Vectors.Hnsw.Bench;

/// <summary>Reads .fvecs / .ivecs files (per row: int32 dimension, then the row) into one flat array.</summary>
internal static class VecsFile
{
    public static (T[] Data, int Rows, int Dim) Read<T>(string path) where T : unmanaged
    {
        using var f = File.OpenRead(path);
        Span<int> dimBuf = stackalloc int[1];
        f.ReadExactly(MemoryMarshal.AsBytes(dimBuf));
        int dim = dimBuf[0];
        long rowBytes = 4L + 4L * dim;
        if (dim <= 0 || f.Length % rowBytes != 0)
        {
            throw new InvalidDataException($"{path}: size does not fit dimension {dim}");
        }

        int rows = (int)(f.Length / rowBytes);
        var data = new T[(long)rows * dim];
        f.Position = 0;
        var rowBuf = new byte[rowBytes];
        for (int r = 0; r < rows; r++)
        {
            f.ReadExactly(rowBuf);
            if (BitConverter.ToInt32(rowBuf, 0) != dim)
            {
                throw new InvalidDataException($"{path}: row {r} has another dimension");
            }

            MemoryMarshal.Cast<byte, T>(rowBuf.AsSpan(4)).CopyTo(data.AsSpan(r * dim, dim));
        }
        return (data, rows, dim);
    }
}
