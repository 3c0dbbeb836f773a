using RagService.Api.Contracts;
using RagService.Core.Context;
using RagService.Core.Retrieval;

namespace RagService.Api.Endpoints;

/// <summary>
/// What a hit carries back: its document reference always, only the metadata keys the request named, and text cut
/// to a bound, so a response's size follows from the limits and topK rather than from what was stored.
/// </summary>
internal sealed record HitProjection(IReadOnlySet<string> MetadataKeys, int MaxTextChars)
{
    public static readonly HitProjection Default = new(new HashSet<string>(), new Hosting.LimitOptions().MaxHitTextChars);

    public SearchHitResponse Hit(SearchHit h)
    {
        var text = h.Chunk.Text;
        var cut = text.Length > MaxTextChars;
        var metadata = MetadataKeys.Count == 0
            ? new Dictionary<string, string>()
            : h.Chunk.Metadata.Where(kv => MetadataKeys.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
        return new SearchHitResponse(h.Rank, h.Score, h.Chunk.ChunkId, h.Chunk.DocumentId, h.Chunk.DocumentTitle, h.Chunk.HeadingPath, h.Chunk.Page,
            cut ? text[..MaxTextChars] : text, metadata,
            new HitScores(h.Provenance.Bm25Rank, h.Provenance.Bm25Score, h.Provenance.DenseRank, h.Provenance.DenseScore, h.Provenance.FusionScore, h.Provenance.RerankScore, h.Provenance.NeighbourhoodScore),
            h.Provenance.Snippet, cut, h.Chunk.UpdatedAt);
    }

    /// <summary>An assembled source: its best hit's reference and scores, the whole source's text, and how it was assembled.</summary>
    public SearchHitResponse Source(ContextSource s)
    {
        var best = Hit(s.Hits[0]);
        var cut = s.Text.Length > MaxTextChars;
        return best with
        {
            HeadingPath = s.First.HeadingPath,
            Page = s.FirstPage,
            Text = cut ? s.Text[..MaxTextChars] : s.Text,
            TextTruncated = cut,
            Context = new SourceContextResponse(s.Number, s.Hits.Select(h => h.Rank).ToList(), s.Hits.Select(h => h.Chunk.ChunkId).ToList(), s.Chunks.Select(c => c.ChunkId).ToList(),
                s.Expanded.Select(c => c.ChunkId).ToList(), s.FirstPage, s.LastPage, s.Sections, s.Tokens),
        };
    }
}
