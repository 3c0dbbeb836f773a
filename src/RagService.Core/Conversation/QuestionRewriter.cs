using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using RagService.Core.Prompting;

namespace RagService.Core.Conversation;

/// <summary>
/// Rewrites a follow-up question ("它多少钱？") into a standalone one through the LLM, under its own time limit. Without
/// an LLM, or when the call fails, times out or returns no usable question, retrieval falls back to the previous user
/// turn followed by the question: deterministic, and the subject of a follow-up is usually named there.
/// </summary>
public sealed class QuestionRewriter(IRewritePromptRenderer prompts, ConversationOptions options, IChatClient? chat, string? model)
{
    /// <summary>Without an LLM: every follow-up falls back to the previous user turn plus the question.</summary>
    public QuestionRewriter(IRewritePromptRenderer prompts, ConversationOptions options)
        : this(prompts, options, null, null)
    {
    }

    /// <summary>Through the answer's LLM, when one is configured (the constructor the container uses).</summary>
    public QuestionRewriter(IRewritePromptRenderer prompts, ConversationOptions options, AnswerModel llm)
        : this(prompts, options, llm.Chat, llm.Model)
    {
    }

    private const string FallbackWhat = "retrieved with the previous user turn plus the question";

    public async Task<QuestionRewrite> RewriteAsync(string question, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        if (chat is null)
        {
            return Fallback(question, history, "no LLM configured (RAG_LLM_URL)", sw);
        }

        var prompt = await prompts.RenderAsync(question, ConversationTail.Of(history, options.PromptHistoryTurns, options.PromptHistoryChars), ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(options.RewriteTimeout);
        string reason;
        try
        {
            var response = await chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, prompt.System), new ChatMessage(ChatRole.User, prompt.User)],
                new ChatOptions { ModelId = model, Temperature = 0f, MaxOutputTokens = options.RewriteMaxTokens }, limit.Token);
            var rewritten = Clean(response.Text);
            if (rewritten.Length > 0 && rewritten.Length <= options.MaxRewrittenChars)
            {
                return new QuestionRewrite(rewritten, QuestionRewrite.Rewritten, "rewritten by the LLM into a standalone question", sw.Elapsed.TotalMilliseconds);
            }

            reason = rewritten.Length == 0
                ? "the LLM's rewrite was empty"
                : $"the LLM's rewrite was {rewritten.Length} characters, over Rag:Conversation:MaxRewrittenChars ({options.MaxRewrittenChars})";
        }
        catch (Exception) when (limit.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            reason = string.Create(CultureInfo.InvariantCulture,
                $"the rewrite timed out after {options.RewriteTimeout.TotalSeconds:0.###} s (Rag:Conversation:RewriteTimeout)");
        }
        catch (LlmUnavailableException e)
        {
            // Already sanitised: a status or kind of network failure, never the upstream's body.
            reason = $"the rewrite failed: {e.Message}";
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            reason = $"the rewrite failed ({e.GetType().Name})";
        }

        return Fallback(question, history, reason, sw);
    }

    /// <summary>
    /// The previous user turn, then the question; the question alone when no user turn precedes it. A previous turn
    /// longer than <paramref name="maxPreviousChars"/> keeps its end, so a huge earlier turn never becomes a huge query.
    /// </summary>
    public static string FallbackQuery(string question, IReadOnlyList<ConversationTurn> history, int maxPreviousChars = int.MaxValue)
    {
        if (history.LastOrDefault(t => t.Role == ConversationRole.User) is not { } previous)
        {
            return question.Trim();
        }

        var text = previous.Content.Trim();
        return $"{(text.Length > maxPreviousChars ? text[^maxPreviousChars..] : text)} {question.Trim()}";
    }

    private QuestionRewrite Fallback(string question, IReadOnlyList<ConversationTurn> history, string reason, Stopwatch sw) =>
        new(FallbackQuery(question, history, options.PromptHistoryChars), QuestionRewrite.Fallback, $"{reason}; {FallbackWhat}", sw.Elapsed.TotalMilliseconds);

    /// <summary>The first non-blank line without surrounding quotes: models sometimes quote the question or add a second line.</summary>
    private static string Clean(string? text)
    {
        var line = (text ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
        return line.Trim('"', '\'', '“', '”', '「', '」', '`').Trim();
    }
}
