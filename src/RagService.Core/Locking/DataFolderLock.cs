using System.Globalization;
using System.Text;

namespace RagService.Core.Locking;

/// <summary>
/// Makes one process the owner of a database and everything kept beside it (the Lucene index, vector snapshots,
/// the job spool): an exclusive OS lock (flock through <see cref="FileShare.None"/>) on "&lt;database&gt;.lock",
/// held for the owner's lifetime. The OS drops it when the process ends, however it ends, so a crash leaves no
/// stale lock. A second owner is refused with <see cref="DataFolderInUseException"/>, naming the holder when it can.
/// </summary>
public sealed class DataFolderLock : IDisposable
{
    /// <summary>errno EWOULDBLOCK (EAGAIN) on Linux: .NET reports a held flock as an IOException with this HResult.</summary>
    private const int WouldBlock = 11;

    private FileStream? _stream;

    private DataFolderLock(string lockPath, FileStream? stream, string? notHeldReason)
    {
        LockPath = lockPath;
        _stream = stream;
        NotHeldReason = notHeldReason;
    }

    public string LockPath { get; }

    /// <summary>
    /// Why the lock could not be taken although nobody else holds it (the folder cannot be written, e.g. mounted
    /// read-only); null when it is held. The store then reports the fault itself and refuses writes.
    /// </summary>
    public string? NotHeldReason { get; }

    /// <summary>The lock file of a database (or of a folder kept elsewhere): its path with ".lock" appended.</summary>
    public static string LockPathOf(string dataPath) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataPath)) + ".lock";

    /// <summary>
    /// Takes the lock of <paramref name="dataPath"/> (a database file, or a folder kept elsewhere) or throws <see cref="DataFolderInUseException"/>.
    /// </summary>
    /// <param name="relocateHint">How the user points this program at another database, for the refusal, e.g. "Rag:DatabasePath".</param>
    public static DataFolderLock Acquire(string dataPath, string relocateHint)
    {
        var lockPath = LockPathOf(dataPath);
        var folder = Path.GetDirectoryName(lockPath)!;
        try
        {
            Directory.CreateDirectory(folder);
            var stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            WriteOwner(stream);
            return new DataFolderLock(lockPath, stream, null);
        }
        catch (IOException e) when (e.HResult == WouldBlock)
        {
            throw new DataFolderInUseException(folder, lockPath, LockHolder.Find(lockPath), relocateHint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A folder that cannot be written: an existing lock file can still be locked read-only (flock needs no write access).
            return TryReadOnly(lockPath, folder, relocateHint) ?? new DataFolderLock(lockPath, null, $"the lock {lockPath} cannot be created ({e.Message})");
        }
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }

    private static DataFolderLock? TryReadOnly(string lockPath, string folder, string relocateHint)
    {
        try
        {
            return new DataFolderLock(lockPath, new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None), null);
        }
        catch (IOException e) when (e.HResult == WouldBlock)
        {
            throw new DataFolderInUseException(folder, lockPath, LockHolder.Find(lockPath), relocateHint);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The owner's process id, for people (cat the file); the lock itself is what counts.</summary>
    private static void WriteOwner(FileStream stream)
    {
        stream.SetLength(0);
        stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
        stream.Flush();
    }
}

/// <summary>Another process (or another owner in this one) holds the database's <see cref="DataFolderLock"/>.</summary>
public sealed class DataFolderInUseException(string folder, string lockPath, int? holderProcessId, string relocateHint)
    : Exception($"data folder {folder} is in use by {(holderProcessId is { } pid ? $"process {pid}" : "another process")} (lock {lockPath}); " +
        $"stop it or point {relocateHint} elsewhere")
{
    public string Folder { get; } = folder;

    public string LockPath { get; } = lockPath;

    public int? HolderProcessId { get; } = holderProcessId;
}
