namespace RagService.Core.Conversation;

public enum ConversationRole
{
    User,
    Assistant,
}

/// <summary>An earlier turn of a conversation, as the caller sent it with its question.</summary>
public sealed record ConversationTurn(ConversationRole Role, string Content);
