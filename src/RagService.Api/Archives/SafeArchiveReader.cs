using System.Formats.Tar;
using System.IO.Compression;

namespace RagService.Api.Archives;

/// <summary>Reads a .zip or .tar.gz (told apart by their first bytes) into files, under <see cref="ArchiveLimits"/>.</summary>
internal static class SafeArchiveReader
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymlink = 0xA000;
    private const int UnixDirectory = 0x4000;
    private const int UnixRegular = 0x8000;

    /// <param name="archive">A seekable stream positioned at the start.</param>
    /// <param name="spoolFolder">Where the files' contents are written (an existing, empty folder).</param>
    public static IReadOnlyList<ArchiveFile> Read(Stream archive, ArchiveLimits limits, string spoolFolder)
    {
        Span<byte> magic = stackalloc byte[4];
        var n = archive.ReadAtLeast(magic, magic.Length, throwOnEndOfStream: false);
        archive.Position = 0;
        var collector = new ArchiveEntryCollector(limits, spoolFolder);
        try
        {
            if (n >= 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] is 3 or 5)
            {
                ReadZip(archive, collector);
            }
            else if (n >= 2 && magic[0] == 0x1F && magic[1] == 0x8B)
            {
                ReadTarGz(archive, collector, limits);
            }
            else
            {
                throw ArchiveEntryCollector.Refused(StatusCodes.Status415UnsupportedMediaType,
                    "the body is not a zip or tar.gz archive; send the folder as application/zip or application/gzip");
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or OverflowException or ArgumentException)
        {
            throw ArchiveEntryCollector.Refused(StatusCodes.Status400BadRequest, $"the archive is damaged or truncated ({Errors.InputEcho.Of(e.Message)})");
        }

        return collector.Files;
    }

    private static void ReadZip(Stream archive, ArchiveEntryCollector collector)
    {
        using var zip = new ZipArchive(archive, ZipArchiveMode.Read, leaveOpen: true);
        collector.CheckEntryCount(zip.Entries.Count);
        foreach (var entry in zip.Entries)
        {
            collector.Add(entry.FullName, ZipKind(entry), entry.Length, entry.Open);
        }
    }

    /// <summary>Zip has no entry type; Unix zippers record it in the high 16 bits of the external attributes.</summary>
    private static ArchiveEntryKind ZipKind(ZipArchiveEntry entry)
    {
        var type = (entry.ExternalAttributes >> 16) & UnixFileTypeMask;
        return type switch
        {
            UnixSymlink => ArchiveEntryKind.Link,
            UnixDirectory => ArchiveEntryKind.Directory,
            0 or UnixRegular => entry.FullName.EndsWith('/') ? ArchiveEntryKind.Directory : ArchiveEntryKind.File,
            _ => ArchiveEntryKind.Other,
        };
    }

    private static void ReadTarGz(Stream archive, ArchiveEntryCollector collector, ArchiveLimits limits)
    {
        // Headers (including pax/long-name records) are read by TarReader itself; bound everything it may decompress.
        var bound = limits.MaxTotalBytes + (limits.MaxEntries + 2L) * 64 * 1024;
        using var gzip = new GZipStream(archive, CompressionMode.Decompress, leaveOpen: true);
        using var bounded = new BoundedReadStream(gzip, bound, () => ArchiveEntryCollector.Refused(StatusCodes.Status413PayloadTooLarge,
            $"the archive expands to more than {limits.MaxTotalBytes} bytes (Rag:Sync:MaxTotalBytes)"));
        using var guarded = new TarHeaderGuardStream(bounded, limits.MaxTarHeaderBytes, (type, size) => ArchiveEntryCollector.Refused(
            StatusCodes.Status413PayloadTooLarge,
            $"a tar {(type is 'L' or 'K' ? "GNU long-name" : "pax")} header declares {size} bytes; the limit is {limits.MaxTarHeaderBytes} (Rag:Sync:MaxTarHeaderBytes)"));
        using var tar = new TarReader(guarded);
        while (tar.GetNextEntry() is { } entry)
        {
            var kind = entry.EntryType switch
            {
                TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile => ArchiveEntryKind.File,
                TarEntryType.Directory => ArchiveEntryKind.Directory,
                TarEntryType.SymbolicLink or TarEntryType.HardLink => ArchiveEntryKind.Link,
                _ => ArchiveEntryKind.Other,
            };
            collector.Add(entry.Name, kind, entry.Length, () => entry.DataStream ?? Stream.Null);
        }
    }
}
