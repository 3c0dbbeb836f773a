using Microsoft.Extensions.AI;

namespace RagService.Core.Prompting;

/// <summary>The LLM that writes answers, by name; <see cref="None"/> when no LLM is configured (ask then returns the prompt only).</summary>
public sealed class AnswerModel
{
    public AnswerModel(IChatClient chat, string model)
    {
        Chat = chat;
        Model = model;
    }

    private AnswerModel()
    {
    }

    public static AnswerModel None { get; } = new();

    /// <summary>Null only for <see cref="None"/>.</summary>
    public IChatClient? Chat { get; }

    public string? Model { get; }
}
