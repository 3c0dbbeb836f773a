namespace RagService.Core.Jobs;

/// <summary>User-visible metadata a sync stores with each document: where it came from.</summary>
public static class SyncMetadata
{
    public const string SourcePath = "source_path";

    /// <summary>Metadata keys that older versions stored as metadata; now the fields of <see cref="SyncSource"/>.</summary>
    public const string LegacySourceSha256 = "source_sha256";

    public const string LegacyIngestSignature = "ingest_signature";

    public static IReadOnlyDictionary<string, string> For(string path) => new Dictionary<string, string> { [SourcePath] = path };
}

/// <summary>
/// A sync's bookkeeping for a document, kept apart from its metadata: the SHA-256 of the file it was extracted from,
/// and the collection's ingest signature (chunking, analyzer, embedding model) it was indexed under; the next sync
/// compares both to skip unchanged files.
/// </summary>
public sealed record SyncSource(string Sha256, string IngestSignature);
