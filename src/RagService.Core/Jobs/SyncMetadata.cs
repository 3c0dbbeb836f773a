namespace RagService.Core.Jobs;

/// <summary>Metadata a sync stores with each document: where it came from and the hash the next sync compares against.</summary>
public static class SyncMetadata
{
    public const string SourcePath = "source_path";
    public const string SourceSha256 = "source_sha256";

    /// <summary>The collection's ingest signature when the document was indexed (chunking, analyzer, embedding model).</summary>
    public const string IngestSignature = "ingest_signature";

    public static IReadOnlyDictionary<string, string> For(string path, string sha256, string ingestSignature) =>
        new Dictionary<string, string> { [SourcePath] = path, [SourceSha256] = sha256, [IngestSignature] = ingestSignature };
}
