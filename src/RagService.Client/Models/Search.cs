namespace RagService.Client.Models;

/// <summary>Restricts results to documents that match every condition given.</summary>
/// <param name="MetadataAnyOf">Per key, values of which the document's must be one.</param>
/// <param name="MetadataNoneOf">Per key, values the document's must not be (documents without the key pass).</param>
/// <param name="MetadataRange">Per key the collection declares a "number" or "date" (<see
/// cref="CollectionSettings.MetadataTypes"/>), bounds its value must be within.</param>
/// <param name="DocumentIdPrefix">Only documents under this folder (ids starting with it; it ends with "/").</param>
public sealed record SearchFilter(IReadOnlyList<string>? DocumentIds = null, IReadOnlyDictionary<string, string>? Metadata = null,
    DateTimeOffset? UpdatedAfter = null, DateTimeOffset? UpdatedBefore = null, DateTimeOffset? CreatedAfter = null, DateTimeOffset? CreatedBefore = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? MetadataAnyOf = null, IReadOnlyDictionary<string, IReadOnlyList<string>>? MetadataNoneOf = null,
    IReadOnlyDictionary<string, MetadataRange>? MetadataRange = null, string? DocumentIdPrefix = null);

/// <summary>
/// Bounds on a declared metadata value; set at least one. Numbers for "number" keys (e.g. 2020), strings for "date"
/// keys ("2024-01-01", or a date and time with an offset).
/// </summary>
public sealed record MetadataRange(object? Gt = null, object? Gte = null, object? Lt = null, object? Lte = null);

/// <summary>Retrieval options shared by search and ask. Unset values take the service's defaults.</summary>
/// <param name="TopK">How many passages (default 5).</param>
/// <param name="Mode">"hybrid", "bm25" or "dense".</param>
/// <param name="Rerank">Rerank with the cross-encoder.</param>
/// <param name="Candidates">Candidates per retriever before fusion.</param>
/// <param name="Fusion">"calibrated" (the service's default: the collection's calibrated dense weight), "rrf" or "weighted".</param>
/// <param name="Metadata">Metadata keys each hit should carry (default none: hits carry the documentId only).</param>
/// <param name="Explain">Search only: also return every candidate with its rank and score per stage (<see cref="SearchResult.Candidates"/>).</param>
public sealed record SearchOptions(int? TopK = null, string? Mode = null, bool? Rerank = null, int? Candidates = null, SearchFilter? Filter = null, string? Fusion = null,
    IReadOnlyList<string>? Metadata = null, bool? Explain = null);

/// <summary>Per-stage scores of a hit (null when the stage did not run or did not find it).</summary>
/// <param name="Fusion">The fused score (weighted or reciprocal-rank).</param>
/// <param name="Neighbourhood">
/// The best fused score among the hit and its adjacent candidates in the same document, added to Fusion for the hit's
/// score (the "neighbours" stage of hybrid search); null when that stage did not run.
/// </param>
public sealed record HitScores(int? Bm25Rank, double? Bm25, int? DenseRank, double? Dense, double? Fusion, double? Rerank, double? Neighbourhood = null);

/// <summary>A retrieved passage.</summary>
/// <param name="Metadata">Only the keys <see cref="SearchOptions.Metadata"/> asked for.</param>
/// <param name="Snippet">The passage with the matched query terms in &lt;em&gt;, when the BM25 engine highlights (lucene).</param>
/// <param name="TextTruncated">The chunk's text was cut to the service's Rag:Limits:MaxHitTextChars.</param>
/// <param name="UpdatedAt">When the passage's document was last written.</param>
public sealed record SearchHit(int Rank, double Score, long ChunkId, string DocumentId, string? Title,
    IReadOnlyList<string> HeadingPath, int? Page, string Text, IReadOnlyDictionary<string, string> Metadata, HitScores Scores, string? Snippet = null,
    bool TextTruncated = false, DateTimeOffset? UpdatedAt = null);

/// <summary>What a retrieval stage did.</summary>
/// <param name="Status">"ok", "skipped" or "failed" (Detail says why).</param>
/// <param name="Engine">The index engine that answered a retrieval stage: "memory" or "lucene" for bm25, "hnsw" for dense; null for other stages.</param>
public sealed record Stage([property: System.Text.Json.Serialization.JsonPropertyName("stage")] string Name, string Status, int Candidates, double Milliseconds, string? Detail,
    string? Engine = null);

/// <summary>One candidate of an explained search: where each stage ranked it, and its final rank when it was returned.</summary>
/// <param name="FusedRank">Its place after fusion (1-based), before reranking and the topK cut.</param>
/// <param name="FinalRank">Its rank among the returned hits (<see cref="SearchHit.Rank"/>), or null when it was not returned.</param>
/// <param name="Preview">The start of the chunk's text.</param>
public sealed record SearchCandidate(int FusedRank, int? FinalRank, long ChunkId, string? DocumentId, string? Title, int? Page, string? Preview, HitScores Scores);

/// <summary>The answer of a search.</summary>
/// <param name="Mode">The retrieval that ran: "bm25" when hybrid was asked for but the service has no embedding model.</param>
/// <param name="RequestedMode">The mode the request asked for ("hybrid" by default).</param>
/// <param name="Candidates">Every candidate with its per-stage ranks; null unless <see cref="SearchOptions.Explain"/> was set.</param>
public sealed record SearchResult(string Query, string Mode, IReadOnlyList<SearchHit> Hits, IReadOnlyList<Stage> Stages, double TotalMilliseconds,
    string? RequestedMode = null, IReadOnlyList<SearchCandidate>? Candidates = null, long? Version = null);

/// <summary>The messages the service sent (or would send) to its LLM.</summary>
public sealed record Prompt(string System, string User);

/// <summary>The answer to a question.</summary>
/// <param name="Answer">The answer with [n] citations; null when the service has no LLM.</param>
/// <param name="Llm">"ok", "skipped" (nothing relevant enough; Answer says so) or "not configured".</param>
/// <param name="Sources">The numbered sources: [n] in the answer is Sources[n-1].</param>
/// <param name="RewrittenQuestion">With history: the standalone question retrieval ran on (the "rewrite" stage says how it was made); null without.</param>
/// <param name="Mode">The retrieval that ran ("bm25" when hybrid was asked for but the service has no embedding model).</param>
/// <param name="RequestedMode">The mode the request asked for.</param>
public sealed record AskResult(string Question, string? Answer, string Llm, string? Model, IReadOnlyList<SearchHit> Sources,
    Prompt Prompt, IReadOnlyList<Stage> Stages, double TotalMilliseconds, string? RewrittenQuestion = null, string? Mode = null, string? RequestedMode = null,
    long? Version = null);

/// <summary>An earlier turn of a conversation, sent with a follow-up question.</summary>
/// <param name="Role">"user" or "assistant".</param>
public sealed record ConversationTurn(string Role, string Content)
{
    /// <summary>A turn the user wrote.</summary>
    public static ConversationTurn User(string content) => new("user", content);

    /// <summary>A turn the assistant answered.</summary>
    public static ConversationTurn Assistant(string content) => new("assistant", content);
}

/// <summary>One item of a streamed answer: a piece of text, or (last) the whole result with its sources.</summary>
public sealed record AskStreamUpdate(string? Token, AskResult? Result)
{
    /// <summary>True for the last item, which carries <see cref="Result"/>.</summary>
    public bool IsFinal => Result is not null;
}

/// <summary>Readiness of the service and its components (GET /health/ready).</summary>
/// <param name="Status">
/// "ready" (HTTP 200: no component failed), "degraded" (200: only optional components failed, e.g. the LLM — ask fails
/// while search answers) or "unready" (503: a component the service requires, Rag:Health:RequiredForReady, is failed or off).
/// </param>
/// <param name="Components">Each component's state; empty when the client sends no API key (the service then answers the status only).</param>
public sealed record Readiness(string Status, IReadOnlyList<ComponentState> Components)
{
    /// <summary>True for "ready" and "degraded": the service answers requests (a load balancer keeps it in rotation).</summary>
    public bool IsServing => Status is "ready" or "degraded";
}

/// <summary>One component of <see cref="Readiness"/>: store, bm25, vectors, dense, rerank, llm, model-fit.</summary>
/// <param name="State">"on", "off" (not configured), "failed" or "warning" (model-fit only; never fails readiness).</param>
/// <param name="Detail">Why, for an admin key (database path, model id, LLM URL, the failure); null for other keys.</param>
/// <param name="Required">Its failing (or being off) makes the service "unready" rather than "degraded".</param>
public sealed record ComponentState(string Name, string State, string? Detail, bool Required = false);
