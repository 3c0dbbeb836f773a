namespace RagService.Core.Conversation;

/// <summary>The "Rag:Conversation" section: bounds of an ask's history and of the question rewrite.</summary>
public sealed class ConversationOptions
{
    /// <summary>Most earlier turns an ask may send (400 beyond).</summary>
    public int MaxHistoryTurns { get; set; } = 40;

    /// <summary>Most characters of all earlier turns together (400 beyond).</summary>
    public int MaxHistoryChars { get; set; } = 20_000;

    /// <summary>Most recent turns that enter the rewrite and answer prompts.</summary>
    public int PromptHistoryTurns { get; set; } = 6;

    /// <summary>Most characters of history that enter the rewrite and answer prompts (the newest turns are kept).</summary>
    public int PromptHistoryChars { get; set; } = 3_000;

    /// <summary>Time limit of the whole rewrite call, retries included; then retrieval uses the fallback query.</summary>
    public TimeSpan RewriteTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most tokens the LLM may write for the rewritten question.</summary>
    public int RewriteMaxTokens { get; set; } = 200;

    /// <summary>Longest rewritten question accepted, characters; a longer (or empty) one is not a question, and the fallback is used.</summary>
    public int MaxRewrittenChars { get; set; } = 1_000;

    /// <summary>Throws with a message that names the setting to fix.</summary>
    public void Validate()
    {
        Positive(MaxHistoryTurns, nameof(MaxHistoryTurns));
        Positive(MaxHistoryChars, nameof(MaxHistoryChars));
        Positive(PromptHistoryTurns, nameof(PromptHistoryTurns));
        Positive(PromptHistoryChars, nameof(PromptHistoryChars));
        Positive(RewriteMaxTokens, nameof(RewriteMaxTokens));
        Positive(MaxRewrittenChars, nameof(MaxRewrittenChars));
        if (RewriteTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"Rag:Conversation:RewriteTimeout must be a positive time span (e.g. 00:00:10), got {RewriteTimeout}");
        }
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"Rag:Conversation:{name} must be at least 1, got {value}");
        }
    }
}
