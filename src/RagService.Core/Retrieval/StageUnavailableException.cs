namespace RagService.Core.Retrieval;

/// <summary>The caller asked for a stage that is not configured (e.g. dense mode without an embedding model).</summary>
public sealed class StageUnavailableException(string message) : Exception(message);
