using System.Text;
using Microsoft.Win32.SafeHandles;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Which extractor a worker is running on which file, in a small file in the worker's private folder: the worker
/// overwrites it in place (one pwrite) before each extractor starts, and the service reads it only when the worker
/// died, to name the extractor that crashed. A file rather than a message on the answer pipe, because a message
/// would wake the service once more per file while the worker works.
/// </summary>
internal sealed class WorkerStatusFile : IDisposable
{
    public const string Name = "extractor";

    private const int RecordBytes = 64;

    private readonly SafeFileHandle _handle;

    private WorkerStatusFile(SafeFileHandle handle) => _handle = handle;

    public static WorkerStatusFile Open(string workerFolder) =>
        new(File.OpenHandle(Path.Combine(workerFolder, Name), FileMode.Create, FileAccess.Write, FileShare.Read));

    /// <param name="file">1-based number of the file in this worker's life.</param>
    public void Write(int file, string extractor)
    {
        var record = new byte[RecordBytes];
        Array.Fill(record, (byte)' ');
        var text = $"{file} {extractor}";
        Encoding.ASCII.GetBytes(text.AsSpan(0, Math.Min(text.Length, RecordBytes)), record);
        RandomAccess.Write(_handle, record, 0);
    }

    /// <summary>The extractor the worker started on file number <paramref name="file"/>, or null when it had not started one.</summary>
    public static string? Read(string workerFolder, int file)
    {
        try
        {
            var parts = File.ReadAllText(Path.Combine(workerFolder, Name)).Trim().Split(' ');
            return parts is [var number, var extractor] && number == file.ToString(System.Globalization.CultureInfo.InvariantCulture) ? extractor : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _handle.Dispose();
}
