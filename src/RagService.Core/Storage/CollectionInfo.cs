using RagService.Core.Access;
using RagService.Core.Chunking;

namespace RagService.Core.Storage;

/// <summary>Settings a collection is created with; they decide how its documents are chunked and indexed.</summary>
public sealed record CollectionSettings
{
    public ChunkingOptions Chunking { get; init; } = new();

    /// <summary>Index the document title and heading path with each chunk (contextual retrieval).</summary>
    public bool ContextualHeaders { get; init; } = true;

    /// <summary>Also ask the LLM for a one-to-two sentence situating context per chunk (needs an LLM; cached by content hash).</summary>
    public bool LlmContext { get; init; }

    /// <summary>Whether documents without an access list are open to every reader of the collection or to admins only.</summary>
    public UnlistedAccess UnlistedAccess { get; init; } = UnlistedAccess.Open;

    /// <summary>Metadata keys declared as numbers or dates: writes must hold values of the type, and filters may ask ranges on them.</summary>
    public IReadOnlyDictionary<string, MetadataType> MetadataTypes { get; init; } = new Dictionary<string, MetadataType>();

    /// <summary>Analyzer signature the BM25 index was built with.</summary>
    public string Analyzer { get; init; } = "";
}

public sealed record CollectionInfo(long Id, string Name, CollectionSettings Settings, DateTimeOffset CreatedAt);

public sealed record CollectionStats(int Documents, int Chunks, long ChunkTextBytes)
{
    public int Vectors { get; init; }

    public long VectorBytes { get; init; }
}

public sealed class CollectionExistsException(string name) : Exception($"collection '{name}' already exists")
{
    public string Name { get; } = name;
}

/// <summary>A write found its collection deleted (or deleted and created again) since the caller looked it up; nothing was written.</summary>
public sealed class CollectionGoneException(string name)
    : Exception($"collection '{name}' was deleted (or deleted and created again) while the request was running; nothing was written")
{
    public string Name { get; } = name;
}
