using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Api.Requests;

/// <summary>Validates request bodies and turns them into core types; every refusal says which field to fix.</summary>
internal sealed partial class RequestMapping(IOptions<RagOptions> options, IKnowledgeStore store)
{
    private LimitOptions Limits => options.Value.Limits;

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex CollectionName();

    public static string ValidCollectionName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || !CollectionName().IsMatch(name))
        {
            throw ApiProblemException.BadRequest("'name' must be 1-64 characters of lower-case letters, digits, '-' or '_', starting with a letter or digit");
        }

        return name;
    }

    public async Task<CollectionInfo> CollectionAsync(string name, CancellationToken ct) =>
        await store.GetCollectionAsync(name, ct)
        ?? throw ApiProblemException.NotFound($"collection '{name}' does not exist; create it with POST /v1/collections");

    public SearchQuery Query(string? text, string field, int? topK, string? mode, bool? rerank, int? candidates, FilterRequest? filter, string? fusion = null)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw ApiProblemException.BadRequest($"'{field}' is required and must not be blank");
        }

        if (text.Length > Limits.MaxQueryChars)
        {
            throw ApiProblemException.BadRequest($"'{field}' is {text.Length} characters; the limit is {Limits.MaxQueryChars} (Rag:Limits:MaxQueryChars)");
        }

        if (topK is { } k && (k < 1 || k > Limits.MaxTopK))
        {
            throw ApiProblemException.BadRequest($"'topK' must be between 1 and {Limits.MaxTopK}");
        }

        if (candidates is { } c && (c < 1 || c > Limits.MaxCandidates))
        {
            throw ApiProblemException.BadRequest($"'candidates' must be between 1 and {Limits.MaxCandidates}");
        }

        return new SearchQuery
        {
            Query = text,
            TopK = topK ?? 5,
            Mode = ParseMode(mode),
            Rerank = rerank,
            Candidates = candidates ?? 100,
            Filter = Filter(filter),
            Fusion = fusion?.Trim().ToLowerInvariant() switch
            {
                null or "" or "rrf" => FusionMethod.Rrf,
                "weighted" => FusionMethod.Weighted,
                _ => throw ApiProblemException.BadRequest($"'fusion' must be \"rrf\" or \"weighted\", not \"{fusion}\""),
            },
        };
    }

    public IReadOnlyDictionary<string, string> Metadata(Dictionary<string, string>? metadata)
    {
        metadata ??= [];
        if (metadata.Count > Limits.MaxMetadataEntries)
        {
            throw ApiProblemException.BadRequest($"'metadata' has {metadata.Count} entries; the limit is {Limits.MaxMetadataEntries}");
        }

        if (metadata.Any(kv => string.IsNullOrWhiteSpace(kv.Key) || kv.Value is null))
        {
            throw ApiProblemException.BadRequest("'metadata' keys must be non-blank and values must be strings");
        }

        return metadata;
    }

    public static string ModeName(RetrievalMode mode) => mode.ToString().ToLowerInvariant();

    private static RetrievalMode ParseMode(string? mode) => mode?.Trim().ToLowerInvariant() switch
    {
        null or "" or "hybrid" => RetrievalMode.Hybrid,
        "bm25" => RetrievalMode.Bm25,
        "dense" => RetrievalMode.Dense,
        _ => throw ApiProblemException.BadRequest($"'mode' must be \"hybrid\", \"bm25\" or \"dense\", not \"{mode}\""),
    };

    private static SearchFilter Filter(FilterRequest? f) => f is null
        ? SearchFilter.None
        : new SearchFilter
        {
            DocumentIds = f.DocumentIds, Metadata = f.Metadata, UpdatedAfter = f.UpdatedAfter, UpdatedBefore = f.UpdatedBefore,
            CreatedAfter = f.CreatedAfter, CreatedBefore = f.CreatedBefore,
        };

    public static SearchHitResponse Hit(SearchHit h) => new(
        h.Rank, h.Score, h.Chunk.ChunkId, h.Chunk.DocumentId, h.Chunk.DocumentTitle, h.Chunk.HeadingPath, h.Chunk.Page, h.Chunk.Text, h.Chunk.Metadata,
        new HitScores(h.Provenance.Bm25Rank, h.Provenance.Bm25Score, h.Provenance.DenseRank, h.Provenance.DenseScore, h.Provenance.FusionScore, h.Provenance.RerankScore),
        h.Provenance.Snippet);

    public static StageResponse Stage(StageReport s) => new(s.Stage, s.Status, s.Candidates, Math.Round(s.Milliseconds, 3), s.Detail, s.Engine);
}
