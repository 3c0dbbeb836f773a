namespace RagService.Core.Conversation;

/// <summary>The newest turns of a history that fit a prompt's bounds, oldest first.</summary>
public static class ConversationTail
{
    /// <summary>
    /// Walks back from the newest turn while both bounds hold. A newest turn longer than <paramref name="maxChars"/> on its
    /// own is kept by its end (the part nearest the question), so a follow-up never loses all its context.
    /// </summary>
    public static IReadOnlyList<ConversationTurn> Of(IReadOnlyList<ConversationTurn> history, int maxTurns, int maxChars)
    {
        var tail = new List<ConversationTurn>();
        var chars = 0;
        for (var i = history.Count - 1; i >= 0 && tail.Count < maxTurns; i--)
        {
            var turn = history[i];
            if (chars + turn.Content.Length > maxChars)
            {
                if (tail.Count == 0)
                {
                    tail.Add(turn with { Content = turn.Content[^maxChars..] });
                }

                break;
            }

            chars += turn.Content.Length;
            tail.Add(turn);
        }

        tail.Reverse();
        return tail;
    }
}
