namespace RagService.Api.Contracts;

/// <summary>Restricts results to documents that match every condition given.</summary>
/// <param name="Metadata">Key/value pairs the document must have exactly.</param>
/// <param name="MetadataAnyOf">Per key, values of which the document's must be one (a document without the key fails).</param>
/// <param name="MetadataNoneOf">Per key, values the document's must not be (a document without the key passes).</param>
/// <param name="MetadataRange">Bounds per key declared in metadataTypes: {"gte": 2020, "lt": 2024} for a number, {"gte": "2024-01-01"} for a date.</param>
/// <param name="DocumentIdPrefix">Only documents under this folder: ids starting with it; it must end with "/" ("handbook/hr/").</param>
public sealed record FilterRequest(List<string?>? DocumentIds, Dictionary<string, string?>? Metadata, DateTimeOffset? UpdatedAfter, DateTimeOffset? UpdatedBefore,
    DateTimeOffset? CreatedAfter = null, DateTimeOffset? CreatedBefore = null, Dictionary<string, List<string?>?>? MetadataAnyOf = null,
    Dictionary<string, List<string?>?>? MetadataNoneOf = null, Dictionary<string, RangeRequest?>? MetadataRange = null, string? DocumentIdPrefix = null);

/// <summary>Bounds on a declared metadata value (at least one): numbers, or dates as "yyyy-MM-dd" or ISO 8601 with an offset.</summary>
public sealed record RangeRequest(System.Text.Json.JsonElement? Gt, System.Text.Json.JsonElement? Gte, System.Text.Json.JsonElement? Lt, System.Text.Json.JsonElement? Lte);

/// <param name="Query">The question or keywords.</param>
/// <param name="TopK">How many passages to return (default 5).</param>
/// <param name="Mode">"hybrid" (default), "bm25" or "dense".</param>
/// <param name="Rerank">Rerank with the cross-encoder (default: when one is configured).</param>
/// <param name="Candidates">Candidates per retriever before fusion (default 100).</param>
/// <param name="Fusion">"calibrated" (default: calibrated dense weight), "rrf" (reciprocal rank) or "weighted" (Rag:Retrieval:DenseWeight).</param>
/// <param name="Metadata">Metadata keys to include in each hit (default none: hits carry the documentId; read the document for the rest).</param>
/// <param name="Explain">Also return every candidate with its rank and score in each stage (the console's retrieval inspector).</param>
public sealed record SearchRequest(string? Query, int? TopK, string? Mode, bool? Rerank, int? Candidates, FilterRequest? Filter, string? Fusion = null,
    List<string?>? Metadata = null, bool? Explain = null, long? MinVersion = null);

/// <param name="Fusion">The fused score (weighted or reciprocal-rank).</param>
/// <param name="Neighbourhood">Best fused score of the hit and its adjacent candidates in its document, added to Fusion (stage "neighbours").</param>
public sealed record HitScores(int? Bm25Rank, double? Bm25, int? DenseRank, double? Dense, double? Fusion, double? Rerank, double? Neighbourhood = null);

/// <param name="Metadata">Only the keys the request asked for.</param>
/// <param name="Snippet">The passage with the matched query terms in &lt;em&gt;, when the BM25 engine highlights (lucene).</param>
/// <param name="TextTruncated">The chunk's text was cut to Rag:Limits:MaxHitTextChars.</param>
/// <param name="UpdatedAt">When the passage's document was last written.</param>
/// <param name="Context">Ask sources only: how hits and neighbours made the source; fields above are its best hit's, the text the whole source's.</param>
public sealed record SearchHitResponse(int Rank, double Score, long ChunkId, string DocumentId, string? Title,
    IReadOnlyList<string> HeadingPath, int? Page, string Text, IReadOnlyDictionary<string, string> Metadata, HitScores Scores, string? Snippet = null,
    bool TextTruncated = false, DateTimeOffset? UpdatedAt = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    SourceContextResponse? Context = null)
{
    /// <summary>Where the passage is, to cite it: "section › subsection, p. N" ("pp. N–M" across pages; either part alone), or null.</summary>
    public string? Citation => (HeadingPath.Count > 0, Pages) switch
    {
        (true, { } pages) => $"{string.Join(" › ", HeadingPath)}, {pages}",
        (true, null) => string.Join(" › ", HeadingPath),
        (false, { } pages) => pages,
        _ => null,
    };

    private string? Pages => (Page, Context?.LastPage) switch
    {
        ({ } first, { } last) when last != first => $"pp. {first}–{last}",
        ({ } first, _) => $"p. {first}",
        _ => null,
    };
}

/// <summary>How one of an ask's sources was put together (the "context" stage, docs/llm.md).</summary>
/// <param name="Number">Its citation number: [Number] in the answer.</param>
/// <param name="HitRanks">Ranks of the retrieved hits it contains, best first; more than one: touching hits merged into one source.</param>
/// <param name="HitChunkIds">Those hits' chunk ids, in the same order.</param>
/// <param name="ChunkIds">Its chunks in reading order.</param>
/// <param name="ExpandedChunkIds">Those of its chunks that no retriever returned: neighbours added for context.</param>
/// <param name="FirstPage">Page where it starts (null without pages); <paramref name="LastPage"/> where it ends.</param>
/// <param name="Sections">The heading paths it spans (one, unless touching hits sat in different sections).</param>
/// <param name="Tokens">Its text in the budget's tokens.</param>
public sealed record SourceContextResponse(int Number, IReadOnlyList<int> HitRanks, IReadOnlyList<long> HitChunkIds, IReadOnlyList<long> ChunkIds, IReadOnlyList<long> ExpandedChunkIds,
    int? FirstPage, int? LastPage, IReadOnlyList<IReadOnlyList<string>> Sections, int Tokens)
{
    public bool Merged => HitRanks.Count > 1;

    public bool Expanded => ExpandedChunkIds.Count > 0;
}

/// <summary>What the LLM was given: the sources' tokens against the budget, how they were counted and ordered, and the hits that did not fit.</summary>
/// <param name="LeftOutHitRanks">Ranks of hits in no source (no room in the budget).</param>
public sealed record ContextResponse(int Tokens, int BudgetTokens, string Counter, string Order, IReadOnlyList<int> LeftOutHitRanks);

/// <param name="Engine">The index engine that answered a retrieval stage: "memory" or "lucene" for bm25, "hnsw" for dense.</param>
public sealed record StageResponse(string Stage, string Status, int Candidates, double Milliseconds, string? Detail, string? Engine = null);

/// <param name="Mode">The retrieval that ran: "bm25" when hybrid was asked for but no embedding model is configured.</param>
/// <param name="RequestedMode">The mode the request asked for (default "hybrid").</param>
/// <param name="Candidates">Only with explain: true.</param>
public sealed record SearchResponse(string Query, string Mode, string RequestedMode, IReadOnlyList<SearchHitResponse> Hits, IReadOnlyList<StageResponse> Stages,
    double TotalMilliseconds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<CandidateResponse>? Candidates = null, long? Version = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DegradedResponse? Degraded = null);

/// <summary>
/// Present only when the store could not be reached and this replica answered from its local state (docs/replicas.md,
/// "PostgreSQL outage"): its indexes as they are, the collection's last known description and the chunks it holds.
/// </summary>
/// <param name="ServedFrom">Always "local-state".</param>
/// <param name="Version">The collection version this replica last read from the store; its indexes hold at least that.</param>
/// <param name="Reason">The store fault the search fell back from.</param>
public sealed record DegradedResponse(string ServedFrom, long Version, string Reason);

/// <summary>One candidate of an explained search: where each stage ranked it, and its final rank when it was returned.</summary>
/// <param name="FusedRank">Its place after fusion (1-based), before reranking and the topK cut.</param>
/// <param name="FinalRank">Its rank among the returned hits, or null when it was not returned.</param>
/// <param name="Preview">The start of the chunk's text.</param>
public sealed record CandidateResponse(int FusedRank, int? FinalRank, long ChunkId, string? DocumentId, string? Title, int? Page, string? Preview, HitScores Scores);

/// <param name="Question">The question to answer from the collection.</param>
/// <param name="Stream">Stream the answer as server-sent events: "token" events, then one "done" event with the whole response.</param>
/// <param name="History">Earlier turns of the conversation, oldest first; the question is then rewritten into a standalone one for retrieval.</param>
public sealed record AskRequest(string? Question, int? TopK, string? Mode, bool? Rerank, int? Candidates, FilterRequest? Filter, bool? Stream, string? Fusion = null,
    List<string?>? Metadata = null, List<HistoryTurnRequest?>? History = null, long? MinVersion = null);

/// <param name="Role">"user" or "assistant".</param>
/// <param name="Content">What was said.</param>
public sealed record HistoryTurnRequest(string? Role, string? Content);

public sealed record PromptResponse(string System, string User);

/// <param name="Answer">The LLM's answer with [n] citations, or null when no LLM is configured.</param>
/// <param name="Llm">"ok" or "not configured".</param>
/// <param name="Sources">The numbered sources of the prompt (hits grown, merged and packed into the budget); [n] in the answer is Sources[n-1].</param>
/// <param name="Context">The sources' tokens against the budget, and the hits left out.</param>
/// <param name="Question">The question as asked.</param>
/// <param name="Mode">The retrieval that ran; <paramref name="RequestedMode"/> is the one asked for.</param>
/// <param name="RewrittenQuestion">With history: what retrieval ran on, the LLM's rewrite or the fallback (last user turn + question; stage "rewrite").</param>
public sealed record AskResponse(string Question, string? Answer, string Llm, string? Model, string Mode, string RequestedMode, IReadOnlyList<SearchHitResponse> Sources,
    PromptResponse Prompt, IReadOnlyList<StageResponse> Stages, double TotalMilliseconds, string? RewrittenQuestion = null, ContextResponse? Context = null,
    long? Version = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    DegradedResponse? Degraded = null);
