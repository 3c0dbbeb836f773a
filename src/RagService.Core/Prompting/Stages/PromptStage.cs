using RagService.Core.Conversation;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;

namespace RagService.Core.Prompting.Stages;

/// <summary>
/// Builds the prompt: the question as asked (never the rewrite), the assembled sources, and a bounded tail of the history
/// (Rag:Conversation:PromptHistoryTurns, PromptHistoryChars). Built even when no LLM will read it: ask returns it.
/// </summary>
public sealed class PromptStage(IAnswerPromptRenderer prompts, ConversationOptions conversation) : IAskStage
{
    public async Task<StageReport?> RunAsync(AskContext context)
    {
        var tail = ConversationTail.Of(context.History, conversation.PromptHistoryTurns, conversation.PromptHistoryChars);
        context.Prompt = await prompts.RenderAsync(context.Query.Query, context.Context.Sources, tail, context.CancellationToken);
        return null;
    }
}
