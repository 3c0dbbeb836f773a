namespace RagService.Cli.Migrate.Store;

// The rows `rag migrate-store` carries from one store to the other, with the ids the source gave them.

internal sealed record CollectionRow(long Id, string Name, string Settings, DateTimeOffset CreatedAt, long Version);

internal sealed record DocumentRow(
    long Id, long CollectionId, string Key, string? Title, string ContentHash, string Format, string Metadata, int ChunkCount,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? SourceSha256, string? IngestSignature, string[]? Access);

internal sealed record ChunkRow(long Id, long DocumentId, int Ordinal, string Text, string HeadingPath, int? Page, string[] BodyTerms, string[] HeaderTerms, float[]? Vector);

internal sealed record KeyRow(
    string Id, string Client, string Role, string? Collections, byte[] SecretHash, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt,
    string[]? Principals, string[]? DelegateWithin);

internal sealed record JobRow(
    string Id, string Kind, string Collection, string State, string Stage, bool Prune, string? IdempotencyKey, string RequestHash, string? Error,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? FinishedAt, IReadOnlyList<JobItemRow> Items);

internal sealed record JobItemRow(int Ordinal, string Path, string Action, string Status, string? Sha256, int Chunks, string? Error, byte[]? Content, string[]? Warnings);

/// <summary>What one store holds of one collection, compared at the end of a migration.</summary>
internal readonly record struct CollectionCounts(long Documents, long Chunks, long Vectors);
