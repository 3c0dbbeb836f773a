namespace RagService.Client.Models;

/// <summary>Restricts results to documents that match every condition given.</summary>
public sealed record SearchFilter(IReadOnlyList<string>? DocumentIds = null, IReadOnlyDictionary<string, string>? Metadata = null,
    DateTimeOffset? UpdatedAfter = null, DateTimeOffset? UpdatedBefore = null, DateTimeOffset? CreatedAfter = null, DateTimeOffset? CreatedBefore = null);

/// <summary>Retrieval options shared by search and ask. Unset values take the service's defaults.</summary>
/// <param name="TopK">How many passages (default 5).</param>
/// <param name="Mode">"hybrid", "bm25" or "dense".</param>
/// <param name="Rerank">Rerank with the cross-encoder.</param>
/// <param name="Candidates">Candidates per retriever before fusion.</param>
/// <param name="Fusion">"rrf" or "weighted".</param>
public sealed record SearchOptions(int? TopK = null, string? Mode = null, bool? Rerank = null, int? Candidates = null, SearchFilter? Filter = null, string? Fusion = null);

/// <summary>Per-stage scores of a hit (null when the stage did not run or did not find it).</summary>
public sealed record HitScores(int? Bm25Rank, double? Bm25, int? DenseRank, double? Dense, double? Fusion, double? Rerank);

/// <summary>A retrieved passage.</summary>
public sealed record SearchHit(int Rank, double Score, long ChunkId, string DocumentId, string? Title,
    IReadOnlyList<string> HeadingPath, int? Page, string Text, IReadOnlyDictionary<string, string> Metadata, HitScores Scores);

/// <summary>What a retrieval stage did.</summary>
public sealed record Stage([property: System.Text.Json.Serialization.JsonPropertyName("stage")] string Name, string Status, int Candidates, double Milliseconds, string? Detail);

/// <summary>The answer of a search.</summary>
public sealed record SearchResult(string Query, string Mode, IReadOnlyList<SearchHit> Hits, IReadOnlyList<Stage> Stages, double TotalMilliseconds);

/// <summary>The messages the service sent (or would send) to its LLM.</summary>
public sealed record Prompt(string System, string User);

/// <summary>The answer to a question.</summary>
/// <param name="Answer">The answer with [n] citations; null when the service has no LLM.</param>
/// <param name="Llm">"ok", "skipped" (nothing relevant enough; Answer says so) or "not configured".</param>
/// <param name="Sources">The numbered sources: [n] in the answer is Sources[n-1].</param>
/// <param name="RewrittenQuestion">With history: the standalone question retrieval ran on (the "rewrite" stage says how it was made); null without.</param>
public sealed record AskResult(string Question, string? Answer, string Llm, string? Model, IReadOnlyList<SearchHit> Sources,
    Prompt Prompt, IReadOnlyList<Stage> Stages, double TotalMilliseconds, string? RewrittenQuestion = null);

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

/// <summary>Readiness of the service and its components.</summary>
public sealed record Readiness(string Status, IReadOnlyList<ComponentState> Components);

/// <summary>"on", "off" (not configured) or "failed".</summary>
public sealed record ComponentState(string Name, string State, string Detail);
