using System.Formats.Tar;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace RagService.Api.Tests.Sync;

/// <summary>Builds zip and tar.gz bodies for sync requests, including hostile ones.</summary>
internal static class TestArchives
{
    public const int UnixSymlink = 0xA1FF; // S_IFLNK | 0777

    public static byte[] Zip(IReadOnlyDictionary<string, string> files) =>
        Zip(zip =>
        {
            foreach (var (path, text) in files)
            {
                AddZipEntry(zip, path, Encoding.UTF8.GetBytes(text));
            }
        });

    public static byte[] Zip(Action<ZipArchive> build)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            build(zip);
        }

        return buffer.ToArray();
    }

    public static ZipArchiveEntry AddZipEntry(ZipArchive zip, string name, byte[] content, CompressionLevel level = CompressionLevel.Fastest)
    {
        var entry = zip.CreateEntry(name, level);
        using var stream = entry.Open();
        stream.Write(content);
        return entry;
    }

    public static byte[] TarGz(Action<TarWriter> build)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            build(tar);
        }

        return buffer.ToArray();
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static ByteArrayContent Body(byte[] archive, string mediaType = "application/zip")
    {
        var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }
}
