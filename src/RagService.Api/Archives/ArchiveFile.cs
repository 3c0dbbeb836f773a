namespace RagService.Api.Archives;

/// <summary>A regular file read from an archive: its normalised path, content and the SHA-256 of the content (lower-case hex).</summary>
internal sealed record ArchiveFile(string Path, byte[] Content, string Sha256);

internal enum ArchiveEntryKind
{
    File,
    Directory,
    Link,
    Other,
}

/// <summary>The limits an archive is read under.</summary>
internal sealed record ArchiveLimits(int MaxEntries, long MaxFileBytes, long MaxTotalBytes, int MaxEntryPathChars = 1_024, long MaxTarHeaderBytes = 64 * 1024);
