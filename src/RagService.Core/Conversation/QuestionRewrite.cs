using RagService.Core.Retrieval;

namespace RagService.Core.Conversation;

/// <summary>What retrieval runs on for a question asked after earlier turns, and how it was obtained.</summary>
/// <param name="Query">The LLM's standalone question, or the fallback (the previous user turn, then the question).</param>
/// <param name="Status">"ok" when the LLM rewrote the question, "fallback" otherwise.</param>
/// <param name="Detail">Which was done, and why the fallback was used.</param>
public sealed record QuestionRewrite(string Query, string Status, string Detail, double Milliseconds)
{
    public const string Rewritten = "ok";
    public const string Fallback = "fallback";

    public StageReport Stage => new("rewrite", Status, 0, Milliseconds, Detail);
}
