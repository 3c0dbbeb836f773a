using Microsoft.Extensions.AI;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Prompting.Pipeline;

/// <summary>
/// One ask as it passes through the stages: the question, its earlier turns, and what each stage produced so far. Each
/// field is written by the stage named in its summary and read by the later ones.
/// </summary>
public sealed class AskContext(CollectionInfo collection, SearchQuery query, IReadOnlyList<ConversationTurn> history, CancellationToken cancellationToken)
{
    public CollectionInfo Collection => collection;

    /// <summary>The question as asked; the prompt always shows this one.</summary>
    public SearchQuery Query => query;

    /// <summary>Earlier turns of the conversation, oldest first (empty for a single question).</summary>
    public IReadOnlyList<ConversationTurn> History => history;

    public CancellationToken CancellationToken => cancellationToken;

    /// <summary>The standalone question retrieval runs on; null without history (rewrite).</summary>
    public QuestionRewrite? Rewrite { get; set; }

    /// <summary>The query retrieval runs: the rewritten question when there is one, else the question as asked.</summary>
    public SearchQuery RetrievalQuery => Rewrite is null ? query : query with { Query = Rewrite.Query };

    /// <summary>The search's hits and stages (retrieval).</summary>
    public SearchOutcome? Retrieval { get; set; }

    /// <summary>The prompt's numbered sources, packed from the hits (context).</summary>
    public AssembledContext Context { get; set; } = AssembledContext.Empty;

    /// <summary>The messages for the LLM (prompt).</summary>
    public AugmentedPrompt? Prompt { get; set; }

    /// <summary>The "not found" answer when nothing relevant enough was retrieved; the LLM is then skipped (relevance).</summary>
    public string? NotFound { get; set; }

    /// <summary>The ask's outcome with the given answer; the retrieval and prompt stages must have run.</summary>
    public AskOutcome Outcome(string? answer, string llm, string? model = null, double llmMilliseconds = 0, UsageDetails? usage = null,
        ChatFinishReason? finishReason = null) =>
        new(answer, llm, model, Prompt ?? throw Missing("prompt"), Retrieval ?? throw Missing("retrieval"), llmMilliseconds, Rewrite, usage, finishReason)
        {
            Context = Context,
        };

    private static InvalidOperationException Missing(string stage) => new($"the ask pipeline has no {stage} stage (AddAskPipeline registers it)");
}
