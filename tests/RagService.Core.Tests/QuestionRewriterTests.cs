using Microsoft.Extensions.AI;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Llm.Prompting;

namespace RagService.Core.Tests;

/// <summary>The rewrite stage with an LLM that answers what the test says: which answers are used, and each fallback's reason.</summary>
public sealed class QuestionRewriterTests
{
    private static readonly ConversationTurn[] History = [new(ConversationRole.User, "超级至尊披萨里有什么料？"), new(ConversationRole.Assistant, "牛肉")];
    private const string FallbackQuery = "超级至尊披萨里有什么料？ 它多少钱？";

    private static Task<QuestionRewrite> Rewrite(ScriptedChat chat, ConversationOptions? options = null, CancellationToken ct = default) =>
        new QuestionRewriter(new RewritePromptTemplate(), options ?? new ConversationOptions(), chat, "m1").RewriteAsync("它多少钱？", History, ct);

    [Fact]
    public async Task The_first_non_blank_line_without_quotes_is_the_rewritten_question()
    {
        var chat = new ScriptedChat(_ => Task.FromResult("\n  “超级至尊披萨多少钱？”  \nExplanation: ..."));
        var rewrite = await Rewrite(chat, new ConversationOptions { RewriteMaxTokens = 77 });
        Assert.Equal(("超级至尊披萨多少钱？", "ok", "rewritten by the LLM into a standalone question"), (rewrite.Query, rewrite.Status, rewrite.Detail));
        Assert.Equal(("m1", 0f, 77), (chat.Options!.ModelId, chat.Options.Temperature, chat.Options.MaxOutputTokens));
    }

    [Fact]
    public async Task An_empty_or_over_long_rewrite_falls_back_to_the_previous_question()
    {
        var empty = await Rewrite(new ScriptedChat(_ => Task.FromResult(" \n \"\" ")));
        Assert.Equal((FallbackQuery, "fallback"), (empty.Query, empty.Status));
        Assert.Equal("the LLM's rewrite was empty; retrieved with the previous user turn plus the question", empty.Detail);

        var options = new ConversationOptions { MaxRewrittenChars = 10 };
        var tooLong = await Rewrite(new ScriptedChat(_ => Task.FromResult("12345678901")), options);
        Assert.Equal(FallbackQuery, tooLong.Query);
        Assert.StartsWith("the LLM's rewrite was 11 characters, over Rag:Conversation:MaxRewrittenChars (10);", tooLong.Detail);
        Assert.Equal("1234567890", (await Rewrite(new ScriptedChat(_ => Task.FromResult("1234567890")), options)).Query);
    }

    [Fact]
    public async Task A_failed_call_falls_back_and_says_how_it_failed()
    {
        var unavailable = await Rewrite(new ScriptedChat(_ => throw new LlmUnavailableException("the LLM answered 503", timedOut: false)));
        Assert.Equal((FallbackQuery, "the rewrite failed: the LLM answered 503; retrieved with the previous user turn plus the question"), (unavailable.Query, unavailable.Detail));

        var broken = await Rewrite(new ScriptedChat(_ => throw new InvalidOperationException("secret upstream body")));
        Assert.StartsWith("the rewrite failed (InvalidOperationException);", broken.Detail);
    }

    [Fact]
    public async Task A_call_that_never_answers_is_cut_at_the_rewrite_timeout()
    {
        // The LLM waits until it is cancelled: only the rewrite's own limit can end the call.
        var chat = new ScriptedChat(async ct => { await Task.Delay(Timeout.Infinite, ct); return "never"; });
        var rewrite = await Rewrite(chat, new ConversationOptions { RewriteTimeout = TimeSpan.FromMilliseconds(50) });
        Assert.Equal((FallbackQuery, "the rewrite timed out after 0.05 s (Rag:Conversation:RewriteTimeout); retrieved with the previous user turn plus the question"),
            (rewrite.Query, rewrite.Detail));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_a_fallback()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var chat = new ScriptedChat(async ct => { await Task.Delay(Timeout.Infinite, ct); return "never"; });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Rewrite(chat, ct: cancelled.Token));
    }

    [Fact]
    public async Task Without_an_llm_the_fallback_says_so()
    {
        var rewrite = await new QuestionRewriter(new RewritePromptTemplate(), new ConversationOptions()).RewriteAsync("它多少钱？", History, default);
        Assert.Equal((FallbackQuery, "no LLM configured (RAG_LLM_URL); retrieved with the previous user turn plus the question"), (rewrite.Query, rewrite.Detail));
    }

    /// <summary>An LLM whose answer the test scripts; records the options of the last call.</summary>
    private sealed class ScriptedChat(Func<CancellationToken, Task<string>> answer) : IChatClient
    {
        public ChatOptions? Options { get; private set; }

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Options = options;
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, await answer(cancellationToken)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
