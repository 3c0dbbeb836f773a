using RagService.Api.Archives;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Requests;
using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>Turns a manifest and the files actually sent into the list the planner works on.</summary>
internal static class ManifestFiles
{
    /// <summary>The archive entry that carries the manifest; it is not a document.</summary>
    public const string EntryName = ".rag-sync-manifest.json";

    public static List<SyncFile> Validate(IReadOnlyList<ManifestEntry>? entries, int maxFiles)
    {
        entries ??= [];
        if (entries.Count > maxFiles)
        {
            throw ApiProblemException.BadRequest($"the manifest lists {entries.Count} files; the limit is {maxFiles} (Rag:Sync:MaxManifestFiles)");
        }

        var files = new List<SyncFile>(entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            if (!SyncPath.TryNormalize(entries[i].Path, out var path, out var problem))
            {
                throw ApiProblemException.BadRequest($"manifest files[{i}].path '{InputEcho.Of(entries[i].Path)}' is refused: {problem}");
            }

            if (!SyncPath.IsSha256(entries[i].Sha256))
            {
                throw ApiProblemException.BadRequest($"manifest files[{i}].sha256 must be 64 hex digits (the SHA-256 of '{InputEcho.Of(path)}')");
            }

            if (!seen.Add(path))
            {
                throw ApiProblemException.BadRequest($"the manifest lists '{InputEcho.Of(path)}' more than once");
            }

            files.Add(new SyncFile(path, entries[i].Sha256!.ToLowerInvariant(), ContentSent: false)
            {
                SetsAccess = entries[i].Access is not null,
                // [] says "no list" explicitly (an access map's unmatched path); elsewhere an empty list is refused.
                Access = entries[i].Access is { Count: 0 } ? null : RequestMapping.Access(entries[i].Access, $"manifest files[{i}].access"),
            });
        }

        return files;
    }

    /// <summary>Files sent in the archive, plus manifest paths sent by hash only. A sent file must match its manifest hash.</summary>
    public static List<SyncFile> Merge(IReadOnlyList<ArchiveFile> sent, IReadOnlyList<SyncFile> manifest)
    {
        var listed = manifest.ToDictionary(f => f.Path, StringComparer.Ordinal);
        foreach (var file in sent)
        {
            if (listed.TryGetValue(file.Path, out var entry) && entry.Sha256 != file.Sha256)
            {
                throw ArchiveEntryCollector.Refused(StatusCodes.Status400BadRequest,
                    $"'{InputEcho.Of(file.Path)}' does not match its sha256 in the manifest; rebuild the manifest from the files you send");
            }
        }

        var sentPaths = sent.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        return sent.Select(f => listed.TryGetValue(f.Path, out var entry)
                ? entry with { ContentSent = true }
                : new SyncFile(f.Path, f.Sha256, ContentSent: true))
            .Concat(manifest.Where(f => !sentPaths.Contains(f.Path)))
            .ToList();
    }
}
