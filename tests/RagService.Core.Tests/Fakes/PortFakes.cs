using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;

namespace RagService.Core.Tests.Fakes;

/// <summary>A store holding chunks and their positions in memory; only the reads the query path and the calibration make.</summary>
public sealed class FakeKnowledgeStore : IKnowledgeStore
{
    public Dictionary<long, StoredChunk> Chunks { get; } = [];

    public Dictionary<long, ChunkPosition> Positions { get; } = [];

    public int ChunkCount { get; set; }

    public List<IReadOnlyList<long>> ChunkReads { get; } = [];

    public List<CollectionInfo> Collections { get; } = [];

    public StoredChunk Add(long id, string text, long documentKey = 0, int ordinal = 0, string? title = null, params string[] headings)
    {
        var chunk = new StoredChunk(id, $"doc{documentKey}", title, ordinal, text, headings, null, new Dictionary<string, string>(), DateTimeOffset.UnixEpoch);
        Chunks[id] = chunk;
        Positions[id] = new ChunkPosition(documentKey, ordinal);
        ChunkCount = Chunks.Count;
        return chunk;
    }

    /// <summary>When set, chunk reads fail with it, as a store that cannot be reached.</summary>
    public StorageUnavailableException? Unreachable { get; set; }

    public Task<IReadOnlyList<StoredChunk>> GetChunksAsync(IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        if (Unreachable is { } fault)
        {
            throw fault;
        }

        ChunkReads.Add(chunkIds);
        return Task.FromResult<IReadOnlyList<StoredChunk>>(chunkIds.Where(Chunks.ContainsKey).Select(id => Chunks[id]).ToList());
    }

    public Task<IReadOnlyDictionary<long, ChunkPosition>> GetChunkPositionsAsync(IReadOnlyCollection<long> chunkIds, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<long, ChunkPosition>>(chunkIds.Where(Positions.ContainsKey).ToDictionary(id => id, id => Positions[id]));

    public Task<CollectionStats> GetStatsAsync(CollectionInfo collection, RagService.Core.Access.AccessScope? access, CancellationToken ct) =>
        Task.FromResult(new CollectionStats(1, ChunkCount, 0));

    public Task<CollectionInfo> CreateCollectionAsync(string name, CollectionSettings settings, CancellationToken ct) => throw new NotSupportedException();

    public Task<CollectionInfo?> GetCollectionAsync(string name, CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<CollectionInfo>> ListCollectionsAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<CollectionInfo>>(Collections);

    public Task<bool> DeleteCollectionAsync(string name, CancellationToken ct) => throw new NotSupportedException();

    public Task<DocumentRecord?> GetDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<DocumentRecord>> ListDocumentsAsync(CollectionInfo collection, int offset, int limit, RagService.Core.Access.AccessScope? access,
        CancellationToken ct) => throw new NotSupportedException();

    public Task<WriteOutcome> UpsertDocumentAsync(CollectionInfo collection, DocumentWrite document, CancellationToken ct) => throw new NotSupportedException();

    public Task<bool> DeleteDocumentAsync(CollectionInfo collection, string documentId, CancellationToken ct) => throw new NotSupportedException();

    public Task<bool> SetDocumentAccessAsync(CollectionInfo collection, string documentId, IReadOnlyList<string>? access, CancellationToken ct) =>
        throw new NotSupportedException();

    public IDisposable BeginWriteGroup(CollectionInfo collection) => throw new NotSupportedException();

    /// <summary>The document's chunk ids in reading order, paged as the store pages them.</summary>
    public Task<IReadOnlyList<long>> ListChunkIdsAsync(CollectionInfo collection, string documentId, int offset, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<long>>(Chunks.Values.Where(c => c.DocumentId == documentId).OrderBy(c => c.Ordinal).Skip(offset).Take(limit)
            .Select(c => c.ChunkId).ToList());
}

/// <summary>A BM25 index that answers with fixed hits and records what it was asked.</summary>
public sealed class FakeLexicalIndex(params ScoredChunk[] hits) : ILexicalSearchIndex
{
    public TermStatistics? Statistics { get; set; }

    public List<(IReadOnlyList<string> Terms, int Limit, SearchFilter Filter)> Searches { get; } = [];

    public string Engine => "fake-bm25";

    public Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, IReadOnlyList<string> queryTerms, int limit, SearchFilter filter, CancellationToken ct)
    {
        Searches.Add((queryTerms, limit, filter));
        return Task.FromResult<IReadOnlyList<ScoredChunk>>(hits.Take(limit).ToList());
    }

    public Task<TermStatistics?> GetTermStatisticsAsync(CollectionInfo collection, IReadOnlyList<string> terms, CancellationToken ct) =>
        Task.FromResult(Statistics is null ? null : new TermStatistics(Statistics.Chunks, terms.ToDictionary(t => t, t => Statistics.DocumentFrequencies.GetValueOrDefault(t))));

    public void Apply(IndexChange change) => throw new NotSupportedException();

    public void Drop(long collectionId) => throw new NotSupportedException();

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => throw new NotSupportedException();

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => throw new NotSupportedException();
}

/// <summary>A vector index that answers with fixed hits, or throws what it is given.</summary>
public sealed class FakeVectorIndex(params ScoredChunk[] hits) : IVectorSearchIndex
{
    public Exception? Failure { get; set; }

    public List<(float[] Query, int Limit)> Searches { get; } = [];

    public string Engine => "fake-hnsw";

    public Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct)
    {
        Searches.Add((query, limit));
        return Failure is not null ? throw Failure : Task.FromResult<IReadOnlyList<ScoredChunk>>(hits.Take(limit).ToList());
    }

    public void Apply(IndexChange change) => throw new NotSupportedException();

    public void Drop(long collectionId) => throw new NotSupportedException();

    public Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct) => throw new NotSupportedException();

    public Task<ComponentStatus> CheckAsync(CancellationToken ct) => throw new NotSupportedException();
}

/// <summary>An embedder returning a fixed vector per text (or a one-hot of the text's length), with a settable tokenizer fit.</summary>
public sealed class FakeEmbedder(string modelId = "fake-model", int dimension = 3) : ITextEmbedder
{
    public Func<string, EmbeddingPurpose, float[]> Embed { get; set; } = (_, _) => [1, 0, 0];

    public ModelFit? Fit { get; set; }

    public List<(IReadOnlyList<string> Texts, EmbeddingPurpose Purpose)> Calls { get; } = [];

    public string ModelId => modelId;

    public int Dimension => dimension;

    public string? ExecutionProvider => "cpu";

    public List<IReadOnlyList<string>> Measured { get; } = [];

    public ModelFit? MeasureFit(IReadOnlyList<string> texts)
    {
        Measured.Add(texts);
        return Fit;
    }

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        Calls.Add((texts, purpose));
        return Task.FromResult(texts.Select(t => Embed(t, purpose)).ToArray());
    }
}

/// <summary>A cross-encoder scoring each passage by a fixed table (0 for a passage not in it).</summary>
public sealed class FakeReranker(Dictionary<string, float> scores) : IReranker
{
    public List<IReadOnlyList<string>> Calls { get; } = [];

    public string ModelId => "fake-reranker";

    public Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken)
    {
        Calls.Add(passages);
        return Task.FromResult(passages.Select(p => scores.GetValueOrDefault(p)).ToArray());
    }
}

/// <summary>
/// An index source over the fake store's chunks: a settable version, a settable filter result, and a snapshot listing the
/// chunk ids (in the order given) with the terms set in <see cref="Terms"/>; it counts the snapshots opened (index rebuilds).
/// </summary>
public sealed class FakeIndexSource(FakeKnowledgeStore store) : IIndexSource
{
    public long Version { get; set; } = 1;

    /// <summary>The order the snapshot lists chunk ids in; the store's order when null.</summary>
    public IReadOnlyList<long>? SnapshotOrder { get; set; }

    /// <summary>Body and header terms per chunk id; a chunk without an entry has none.</summary>
    public Dictionary<long, (string[] Body, string[] Header)> Terms { get; } = [];

    /// <summary>What <see cref="ChunksMatchingAsync"/> answers for every filter.</summary>
    public IReadOnlySet<long>? Matching { get; set; }

    public int SnapshotsOpened { get; private set; }

    /// <summary>How many times a filter was resolved (<see cref="ChunksMatchingAsync"/> called).</summary>
    public int Resolutions { get; private set; }

    public Task<long> GetVersionAsync(long collectionId, CancellationToken ct) => Task.FromResult(Version);

    public Task<IReadOnlySet<long>?> ChunksMatchingAsync(CollectionInfo collection, SearchFilter filter, CancellationToken ct)
    {
        Resolutions++;
        return Task.FromResult(Matching);
    }

    public IIndexSnapshot OpenSnapshot(long collectionId)
    {
        SnapshotsOpened++;
        return new Snapshot(Version, (SnapshotOrder ?? store.Chunks.Keys.ToList()).Select(Entry).ToList());
    }

    private IndexEntry Entry(long id) =>
        Terms.TryGetValue(id, out var terms) ? new IndexEntry(id, store.Chunks[id].Text, terms.Body, terms.Header) : new IndexEntry(id, store.Chunks[id].Text, [], []);

    private sealed class Snapshot(long version, List<IndexEntry> entries) : IIndexSnapshot
    {
        public long Version => version;

        public int VectorDimension => 0;

        public IEnumerable<IndexEntry> ReadTerms() => entries;

        public IEnumerable<(long ChunkId, float[] Vector)> ReadVectors(int dimension) => [];

        public void Dispose()
        {
        }
    }
}
