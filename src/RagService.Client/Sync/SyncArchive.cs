using System.IO.Compression;
using System.Text.Json;
using RagService.Client.Models;

namespace RagService.Client.Sync;

/// <summary>
/// Writes the zip a sync sends: the manifest of the whole folder (".rag-sync-manifest.json", so unchanged files need
/// not be sent) and the files to send. Written to a temporary file, not memory, so large folders stay cheap.
/// </summary>
internal static class SyncArchive
{
    public const string ManifestEntry = ".rag-sync-manifest.json";

    public static async Task<string> WriteAsync(IReadOnlyList<FolderFile> folder, IReadOnlyList<FolderFile> send, bool prune, CancellationToken ct)
    {
        var path = Path.Combine(Path.GetTempPath(), $"rag-sync-{Guid.NewGuid():N}.zip");
        try
        {
            var file = File.Create(path);
            await using var fileScope = file.ConfigureAwait(false);
            using var zip = new ZipArchive(file, ZipArchiveMode.Create);
            var manifest = zip.CreateEntry(ManifestEntry, CompressionLevel.Fastest).Open();
            await using (manifest.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(manifest, Manifest(folder, prune), RagJson.Options, ct).ConfigureAwait(false);
            }

            foreach (var f in send)
            {
                var entry = zip.CreateEntry(f.Path, CompressionLevel.Optimal).Open();
                await using var entryScope = entry.ConfigureAwait(false);
                var source = File.OpenRead(f.FullPath);
                await using var sourceScope = source.ConfigureAwait(false);
                await source.CopyToAsync(entry, ct).ConfigureAwait(false);
            }
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return path;
    }

    public static object Manifest(IReadOnlyList<FolderFile> folder, bool prune) =>
        new { files = folder.Select(f => new SyncFile(f.Path, f.Sha256, f.Access)).ToList(), prune };
}
