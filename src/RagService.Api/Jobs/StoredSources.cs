using RagService.Core.Access;
using RagService.Core.Jobs;
using RagService.Core.Storage;

namespace RagService.Api.Jobs;

internal static class StoredSources
{
    private const int Page = 1000;

    /// <summary>
    /// Every document id of the collection with the source hash a previous sync recorded: null when none, or when the
    /// document was indexed under another <paramref name="ingestSignature"/> (e.g. another embedding model), so that
    /// the sync re-indexes it although its file did not change. Only documents <paramref name="access"/> may read (null: all).
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, string?>> LoadAsync(IKnowledgeStore store, CollectionInfo collection, string? ingestSignature,
        AccessScope? access, CancellationToken ct) => (await LoadWithAccessAsync(store, collection, ingestSignature, access, ct)).Sources;

    /// <summary><see cref="LoadAsync"/>, with each document's stored access list (null: none).</summary>
    public static async Task<(IReadOnlyDictionary<string, string?> Sources, IReadOnlyDictionary<string, IReadOnlyList<string>?> Access)> LoadWithAccessAsync(
        IKnowledgeStore store, CollectionInfo collection, string? ingestSignature, AccessScope? access, CancellationToken ct)
    {
        var sources = new Dictionary<string, string?>(StringComparer.Ordinal);
        var lists = new Dictionary<string, IReadOnlyList<string>?>(StringComparer.Ordinal);
        for (var offset = 0; ; offset += Page)
        {
            var page = await store.ListDocumentsAsync(collection, offset, Page, access, ct);
            foreach (var doc in page)
            {
                var current = ingestSignature is null || doc.Source?.IngestSignature == ingestSignature;
                sources[doc.Id] = current ? doc.Source?.Sha256 : null;
                lists[doc.Id] = doc.Access;
            }

            if (page.Count < Page)
            {
                return (sources, lists);
            }
        }
    }
}
