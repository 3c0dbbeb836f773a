namespace RagService.Core.Retrieval.Stages;

internal static class ModelDescription
{
    /// <summary>Stage detail naming the model and where it ran, e.g. "all-MiniLM-L6-v2 on cpu".</summary>
    public static string Of(string modelId, string? executionProvider) =>
        executionProvider is null ? modelId : $"{modelId} on {executionProvider}";
}
