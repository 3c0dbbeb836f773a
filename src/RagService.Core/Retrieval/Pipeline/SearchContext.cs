using System.Diagnostics;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Pipeline;

/// <summary>
/// One search request as it passes through the stages: the query, what each stage produced so far, and where every
/// candidate was ranked. Each field is written by the stage named in its summary and read by the later ones.
/// </summary>
/// <param name="chunks">Where the hits' chunks are read through; null reads them from the store each time.</param>
public sealed class SearchContext(IKnowledgeStore store, CollectionInfo collection, SearchQuery query, CancellationToken cancellationToken, HitChunkSource? chunks = null)
{
    public CollectionInfo Collection => collection;

    public SearchQuery Query => query;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>How many candidates each retriever returns: the larger of the query's candidates and top K.</summary>
    public int Candidates => Math.Max(query.Candidates, query.TopK);

    /// <summary>The collection's fusion calibration in use, for a calibrated hybrid search (calibration lookup).</summary>
    public CalibrationState? Calibration { get; set; }

    /// <summary>How long looking the calibration up took; reported as part of the fusion stage.</summary>
    public double CalibrationMilliseconds { get; set; }

    /// <summary>BM25's hits, best first; null when BM25 did not run (bm25).</summary>
    public IReadOnlyList<ScoredChunk>? LexicalHits { get; set; }

    /// <summary>The analyzed query terms BM25 searched for (bm25).</summary>
    public IReadOnlyList<string>? QueryTerms { get; set; }

    /// <summary>Dense retrieval's hits, best first; null when it did not run or failed (dense).</summary>
    public IReadOnlyList<ScoredChunk>? DenseHits { get; set; }

    /// <summary>Where each candidate was ranked and scored by each stage that saw it (fusion and later).</summary>
    public Dictionary<long, HitProvenance> Provenance { get; } = [];

    /// <summary>The candidates in ranked order with their current scores (fusion, neighbours).</summary>
    public List<(long Id, double Score)> Ranked { get; set; } = [];

    /// <summary>Whether both retrievers' lists were fused (fusion).</summary>
    public bool Fused { get; set; }

    /// <summary>The chunks read from the store, in the order asked for; null until a stage read them.</summary>
    public IReadOnlyList<StoredChunk>? Chunks { get; private set; }

    /// <summary>How long reading <see cref="Chunks"/> took; reported by the fetch stage.</summary>
    public double FetchMilliseconds { get; private set; }

    /// <summary>The read chunks in their final order with their final scores (rerank, or fetch in fused order).</summary>
    public IReadOnlyList<(StoredChunk Chunk, double Score)>? Ordered { get; set; }

    /// <summary>Whether the cross-encoder reordered the candidates (rerank).</summary>
    public bool Reranked { get; set; }

    /// <summary>Highlighted passages of the returned hits by chunk id (highlight).</summary>
    public Dictionary<long, string?> Snippets { get; } = [];

    /// <summary>The lexical floor found no meaningful query term in the collection (floor).</summary>
    public bool NothingSpecificMatched { get; set; }

    /// <summary>The retrieval that actually ran.</summary>
    public RetrievalMode RanMode => LexicalHits is not null && DenseHits is not null ? RetrievalMode.Hybrid
        : LexicalHits is not null ? RetrievalMode.Bm25 : RetrievalMode.Dense;

    /// <summary>Reads the chunks of <paramref name="ids"/> once, for whichever stage needs their text first.</summary>
    public async Task<IReadOnlyList<StoredChunk>> ReadChunksAsync(IReadOnlyList<long> ids)
    {
        if (Chunks is null)
        {
            var watch = Stopwatch.StartNew();
            Chunks = chunks is null ? await store.GetChunksAsync(ids, cancellationToken) : await chunks.GetChunksAsync(store, collection, ids, cancellationToken);
            FetchMilliseconds = watch.Elapsed.TotalMilliseconds;
        }

        return Chunks;
    }

    /// <summary>The top K hits, ranked, with their provenance and snippet.</summary>
    public List<SearchHit> Hits() => (Ordered ?? []).Take(query.TopK)
        .Select((x, i) => new SearchHit(i + 1, x.Score, x.Chunk, Provenance[x.Chunk.ChunkId] with { Snippet = Snippets.GetValueOrDefault(x.Chunk.ChunkId) }))
        .ToList();
}
