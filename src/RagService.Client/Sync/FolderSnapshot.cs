using System.Security.Cryptography;

namespace RagService.Client.Sync;

/// <param name="Path">Relative to the folder, '/'-separated: the document id on the service.</param>
/// <param name="Access">The access list the sync sets ([] for none); null: the sync leaves it as it is.</param>
internal sealed record FolderFile(string Path, string FullPath, string Sha256, IReadOnlyList<string>? Access = null);

/// <summary>The files of a folder that a sync sends, with their SHA-256.</summary>
internal static class FolderSnapshot
{
    public static IReadOnlyList<FolderFile> Take(string folder, IReadOnlySet<string>? extensions, SyncAccessMap? access = null)
    {
        var root = System.IO.Path.GetFullPath(folder);
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint, IgnoreInaccessible = false };
        return Directory.EnumerateFiles(root, "*", options)
            .Select(full => (full, rel: System.IO.Path.GetRelativePath(root, full).Replace('\\', '/')))
            .Where(f => !f.rel.Split('/').Any(segment => segment.StartsWith('.')))
            .Where(f => extensions is null || extensions.Contains(System.IO.Path.GetExtension(f.rel).ToLowerInvariant()))
            .OrderBy(f => f.rel, StringComparer.Ordinal)
            .Select(f => new FolderFile(f.rel, f.full, Hash(f.full), access?.For(f.rel)))
            .ToList();
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
