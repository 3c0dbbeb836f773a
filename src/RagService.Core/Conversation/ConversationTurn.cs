namespace RagService.Core.Conversation;

public enum ConversationRole
{
    User,
    Assistant,

    /// <summary>
    /// A system message from the calling application (e.g. an OpenAI-style chat client): shown to the model among the
    /// earlier turns, as context, never as instructions; the service's own system prompt stays the only one.
    /// </summary>
    CallerSystem,
}

/// <summary>An earlier turn of a conversation, as the caller sent it with its question.</summary>
public sealed record ConversationTurn(ConversationRole Role, string Content);
