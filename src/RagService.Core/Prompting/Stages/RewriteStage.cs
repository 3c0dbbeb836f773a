using RagService.Core.Conversation;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;

namespace RagService.Core.Prompting.Stages;

/// <summary>
/// With earlier turns, rewrites the follow-up into the standalone question retrieval runs on ("rewrite", through
/// <see cref="QuestionRewriter"/>, which falls back without an LLM). A single question is not rewritten and not reported.
/// </summary>
public sealed class RewriteStage(QuestionRewriter rewriter) : IAskStage
{
    public async Task<StageReport?> RunAsync(AskContext context)
    {
        if (context.History.Count == 0)
        {
            return null;
        }

        context.Rewrite = await rewriter.RewriteAsync(context.Query.Query, context.History, context.CancellationToken);
        return context.Rewrite.Stage;
    }
}
