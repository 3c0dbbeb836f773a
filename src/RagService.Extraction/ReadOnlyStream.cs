using System.Runtime.InteropServices;

namespace RagService.Extraction;

internal static class ReadOnlyStream
{
    /// <summary>A read-only stream over the bytes, without copying them when they live in an array.</summary>
    public static MemoryStream Of(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);
}
