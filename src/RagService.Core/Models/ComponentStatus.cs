namespace RagService.Core.Models;

/// <summary>What a pluggable component (embedder, reranker, LLM, store) is doing, as shown in /health/ready and in responses.</summary>
/// <param name="Name">"dense", "rerank", "llm", "store", ...</param>
/// <param name="State">"on", "off" (not configured) or "failed".</param>
/// <param name="Detail">Model id and device when on; what is missing or the error when off or failed.</param>
public sealed record ComponentStatus(string Name, string State, string Detail)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsOn => State == "on";

    public static ComponentStatus On(string name, string detail) => new(name, "on", detail);
    public static ComponentStatus Off(string name, string detail) => new(name, "off", detail);
    public static ComponentStatus Failed(string name, string detail) => new(name, "failed", detail);
}
