using System.Buffers.Binary;
using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>What a frame on the worker's pipes carries.</summary>
public enum WorkerFrameKind : byte
{
    /// <summary>Service → worker: one file (<see cref="WorkerRequest"/>, the file's bytes included).</summary>
    Request = 1,

    /// <summary>Worker → service: the extracted document; ends the file.</summary>
    Document = 3,

    /// <summary>Worker → service: a <see cref="WorkerError"/>; ends the file.</summary>
    Error = 4,
}

/// <summary>One file for the worker; its bytes travel in the same frame, so nothing is written to disk on the way.</summary>
/// <param name="CpuSeconds">CPU time the worker may spend on this file (RLIMIT_CPU counted from now).</param>
public sealed record WorkerRequest(string? FileName, string? ContentType, long CpuSeconds, ReadOnlyMemory<byte> Content);

/// <param name="Kind">An <see cref="ExtractionFailure"/> name, or <see cref="WorkerErrorKinds"/>' out of memory / server fault / unexpected error.</param>
public sealed record WorkerError(string Kind, string Message, string? Extractor);

/// <summary>Error kinds besides the <see cref="ExtractionFailure"/> names.</summary>
public static class WorkerErrorKinds
{
    /// <summary>An allocation failed under the worker's memory limit; the worker exits after answering.</summary>
    public const string OutOfMemory = nameof(OutOfMemory);

    /// <summary>The server is misconfigured (a tool is missing): the service's fault, not the file's (HTTP 500).</summary>
    public const string ServerFault = nameof(ServerFault);

    /// <summary>A parser threw something no extractor expected; the file is refused as unreadable.</summary>
    public const string Unexpected = nameof(Unexpected);
}

/// <summary>
/// The wire format between the service and a worker: frames of one kind byte, a 4-byte little-endian payload length
/// and the payload, each written with one write call. Payloads are binary (length-prefixed UTF-8 strings), so a large
/// text costs one copy and no escaping, and the reader knows a frame's size before it reads it.
/// </summary>
public static class WorkerFrames
{
    public const int HeaderBytes = 5;

    /// <summary>
    /// The request frame up to the file's bytes, which follow it on the pipe (<paramref name="inlineBytes"/> or fewer
    /// bytes of content are copied into the frame instead, so that a small file goes in one write).
    /// </summary>
    public static (byte[] Head, bool ContentIncluded) Request(WorkerRequest request, int inlineBytes)
    {
        var include = request.Content.Length <= inlineBytes;
        var head = Frame(WorkerFrameKind.Request, w =>
        {
            WriteNullable(w, request.FileName);
            WriteNullable(w, request.ContentType);
            w.Write(request.CpuSeconds);
            w.Write(request.Content.Length);
            if (include)
            {
                w.Write(request.Content.Span);
            }
        }, include ? 0 : request.Content.Length);
        return (head, include);
    }

    public static WorkerRequest ReadRequest(byte[] payload)
    {
        using var r = Reader(payload);
        var fileName = ReadNullable(r);
        var contentType = ReadNullable(r);
        var cpuSeconds = r.ReadInt64();
        var length = r.ReadInt32();
        return new WorkerRequest(fileName, contentType, cpuSeconds, payload.AsMemory((int)r.BaseStream.Position, length));
    }

    public static byte[] Document(ExtractedDocument document) => Frame(WorkerFrameKind.Document, w =>
    {
        WriteNullable(w, document.Title);
        w.Write(document.Format);
        w.Write(document.Report.Count);
        foreach (var (key, value) in document.Report)
        {
            w.Write(key);
            w.Write(value);
        }

        w.Write(document.Warnings.Count);
        foreach (var warning in document.Warnings)
        {
            w.Write(warning);
        }

        w.Write(document.Blocks.Count);
        foreach (var block in document.Blocks)
        {
            w.Write((byte)block.Kind);
            w.Write(block.HeadingLevel);
            w.Write(block.Page ?? -1);
            w.Write(block.Text);
        }
    });

    public static ExtractedDocument ReadDocument(byte[] payload)
    {
        using var r = Reader(payload);
        var title = ReadNullable(r);
        var format = r.ReadString();
        var report = new Dictionary<string, string>();
        for (var n = r.ReadInt32(); n > 0; n--)
        {
            report[r.ReadString()] = r.ReadString();
        }

        var warnings = new string[r.ReadInt32()];
        for (var i = 0; i < warnings.Length; i++)
        {
            warnings[i] = r.ReadString();
        }

        var blocks = new DocumentBlock[r.ReadInt32()];
        for (var i = 0; i < blocks.Length; i++)
        {
            var kind = (BlockKind)r.ReadByte();
            var level = r.ReadInt32();
            var page = r.ReadInt32();
            blocks[i] = new DocumentBlock(kind, r.ReadString(), level, page < 0 ? null : page);
        }

        return new ExtractedDocument(title, blocks, format) { Report = report, Warnings = warnings };
    }

    public static byte[] Error(WorkerError error) => Frame(WorkerFrameKind.Error, w =>
    {
        w.Write(error.Kind);
        w.Write(error.Message);
        WriteNullable(w, error.Extractor);
    });

    public static WorkerError ReadError(byte[] payload)
    {
        using var r = Reader(payload);
        return new WorkerError(r.ReadString(), r.ReadString(), ReadNullable(r));
    }

    /// <summary>Parses a frame header: its kind and payload length.</summary>
    public static (WorkerFrameKind Kind, int Length) ReadHeader(ReadOnlySpan<byte> header)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(header[1..]);
        if (length < 0 || !Enum.IsDefined((WorkerFrameKind)header[0]))
        {
            throw new InvalidDataException($"A malformed frame header ({header[0]}, {length}) on the extraction worker's pipe.");
        }

        return ((WorkerFrameKind)header[0], length);
    }

    /// <summary>Reads one whole frame with blocking reads; null when the stream ends before a frame starts.</summary>
    public static (WorkerFrameKind Kind, byte[] Payload)? ReadBlocking(Stream stream)
    {
        Span<byte> header = stackalloc byte[HeaderBytes];
        var first = stream.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false);
        if (first == 0)
        {
            return null;
        }

        if (first < HeaderBytes)
        {
            throw new EndOfStreamException("The extraction worker's pipe ended inside a frame header.");
        }

        var (kind, length) = ReadHeader(header);
        var payload = new byte[length];
        stream.ReadExactly(payload);
        return (kind, payload);
    }

    private static byte[] Frame(WorkerFrameKind kind, Action<BinaryWriter> write, int followingBytes = 0)
    {
        using var buffer = new MemoryStream();
        buffer.Write(stackalloc byte[HeaderBytes]);
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            write(w);
        }

        var frame = buffer.ToArray();
        frame[0] = (byte)kind;
        BinaryPrimitives.WriteInt32LittleEndian(frame.AsSpan(1), checked(frame.Length - HeaderBytes + followingBytes));
        return frame;
    }

    private static BinaryReader Reader(byte[] payload) => new(new MemoryStream(payload, writable: false), Encoding.UTF8);

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadBoolean() ? r.ReadString() : null;
}
