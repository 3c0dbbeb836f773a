namespace RagService.Api.Archives;

/// <summary>
/// A regular file read from an archive: its normalised path, the SHA-256 of its content (lower-case hex), its length, and
/// the file on disk holding the content (named by its hash in the job's spool folder).
/// </summary>
internal sealed record ArchiveFile(string Path, string Sha256, long Length, string ContentFile);

internal enum ArchiveEntryKind
{
    File,
    Directory,
    Link,
    Other,
}

/// <summary>The limits an archive is read under.</summary>
internal sealed record ArchiveLimits(int MaxEntries, long MaxFileBytes, long MaxTotalBytes, int MaxEntryPathChars = 1_024, long MaxTarHeaderBytes = 64 * 1024);
