using System.Security.Cryptography;
using RagService.Api.Errors;
using RagService.Core.Jobs;

namespace RagService.Api.Archives;

/// <summary>
/// Accepts archive entries one at a time and refuses the whole archive at the first one that breaks a rule: an entry
/// count, size or total over its limit, a link or device, a path that is absolute or climbs out with "..", or a duplicate.
/// Sizes are counted while decompressing, never taken from the headers, so a bomb is stopped after limit + 1 bytes.
/// Each file is streamed to <paramref name="spoolFolder"/> (named by its SHA-256) rather than held in memory.
/// </summary>
internal sealed class ArchiveEntryCollector(ArchiveLimits limits, string spoolFolder)
{
    private readonly List<ArchiveFile> _files = [];
    private readonly HashSet<string> _paths = new(StringComparer.Ordinal);
    private int _entries;
    private long _totalBytes;

    public IReadOnlyList<ArchiveFile> Files => _files;

    public void CheckEntryCount(long count)
    {
        if (count > limits.MaxEntries)
        {
            throw Refused(StatusCodes.Status413PayloadTooLarge,
                $"the archive has {count} entries; the limit is {limits.MaxEntries} (Rag:Sync:MaxEntries). Split the folder or raise the limit");
        }
    }

    public void Add(string rawName, ArchiveEntryKind kind, long declaredLength, Func<Stream> open)
    {
        CheckEntryCount(++_entries);
        if (rawName.Length > limits.MaxEntryPathChars)
        {
            throw Refused(StatusCodes.Status400BadRequest,
                $"entry '{InputEcho.Of(rawName)}' has a path of {rawName.Length} characters; the limit is {limits.MaxEntryPathChars} (Rag:Sync:MaxEntryPathChars)");
        }

        if (kind == ArchiveEntryKind.Link)
        {
            throw Refused(StatusCodes.Status400BadRequest, $"entry '{InputEcho.Of(rawName)}' is a symbolic or hard link; archives may contain only regular files and folders");
        }

        if (kind == ArchiveEntryKind.Other)
        {
            throw Refused(StatusCodes.Status400BadRequest, $"entry '{InputEcho.Of(rawName)}' is not a regular file or folder (device, pipe or unknown type)");
        }

        if (kind == ArchiveEntryKind.Directory && rawName is "." or "./")
        {
            return; // the root folder of `tar -C folder .`
        }

        if (!SyncPath.TryNormalize(rawName, out var path, out var problem))
        {
            throw Refused(StatusCodes.Status400BadRequest, $"entry '{InputEcho.Of(rawName)}' is refused: {problem}");
        }

        if (kind == ArchiveEntryKind.Directory)
        {
            return;
        }

        if (!_paths.Add(path))
        {
            throw Refused(StatusCodes.Status400BadRequest, $"the archive contains '{InputEcho.Of(path)}' more than once");
        }

        if (declaredLength > limits.MaxFileBytes)
        {
            throw TooLarge(path);
        }

        var (sha256, length) = SpoolBounded(open, path);
        _totalBytes += length;
        if (_totalBytes > limits.MaxTotalBytes)
        {
            throw Refused(StatusCodes.Status413PayloadTooLarge,
                $"the archive expands to more than {limits.MaxTotalBytes} bytes (Rag:Sync:MaxTotalBytes); send the folder in parts or raise the limit");
        }

        _files.Add(new ArchiveFile(path, sha256, length, System.IO.Path.Combine(spoolFolder, sha256)));
    }

    /// <summary>Copies the entry to a temporary file while hashing it, then names the file by its hash (identical files share one).</summary>
    private (string Sha256, long Length) SpoolBounded(Func<Stream> open, string path)
    {
        var temp = System.IO.Path.Combine(spoolFolder, "entry-" + Guid.NewGuid().ToString("N") + ".tmp");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long length = 0;
        try
        {
            using (var source = open())
            using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920))
            {
                var chunk = new byte[81920];
                int read;
                while ((read = source.Read(chunk, 0, chunk.Length)) > 0)
                {
                    length += read;
                    if (length > limits.MaxFileBytes)
                    {
                        throw TooLarge(path);
                    }

                    hash.AppendData(chunk, 0, read);
                    target.Write(chunk, 0, read);
                }
            }

            var sha256 = Convert.ToHexStringLower(hash.GetHashAndReset());
            File.Move(temp, System.IO.Path.Combine(spoolFolder, sha256), overwrite: true);
            return (sha256, length);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private ApiProblemException TooLarge(string path) => Refused(StatusCodes.Status413PayloadTooLarge,
        $"entry '{InputEcho.Of(path)}' expands to more than {limits.MaxFileBytes} bytes (Rag:Sync:MaxFileBytes); a compression bomb or a file too large to index");

    public static ApiProblemException Refused(int status, string detail) => new(status, "Archive refused", detail + "; nothing was written");
}
