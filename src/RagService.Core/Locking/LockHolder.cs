using System.Globalization;

namespace RagService.Core.Locking;

/// <summary>
/// Finds which process holds a flock on a file, on Linux: /proc/locks lists each lock's owner, and the owner's
/// /proc/&lt;pid&gt;/fd links name the files it has open. The holder's lock file cannot be read meanwhile (.NET takes a
/// shared flock to read), so this is how the refusal can name it. Null when it cannot tell (another OS, another
/// user's process, a PID namespace that hides it).
/// </summary>
internal static class LockHolder
{
    public static int? Find(string lockPath)
    {
        try
        {
            if (!File.Exists("/proc/locks"))
            {
                return null;
            }

            foreach (var pid in FlockOwners())
            {
                if (HasOpen(pid, lockPath))
                {
                    return pid;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    /// <summary>Owners of exclusive flocks; a line reads "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF".</summary>
    private static IEnumerable<int> FlockOwners()
    {
        foreach (var line in File.ReadLines("/proc/locks"))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length > 4 && fields[1] == "FLOCK" && fields[3] == "WRITE" && int.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                yield return pid;
            }
        }
    }

    private static bool HasOpen(int pid, string path)
    {
        try
        {
            return Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Any(fd => new FileInfo(fd).LinkTarget == path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
