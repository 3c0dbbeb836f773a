namespace RagService.Core.Storage;

/// <summary>How many chunks a collection's BM25 index holds, and in how many of them each query term occurs.</summary>
public sealed record TermStatistics(int Chunks, IReadOnlyDictionary<string, int> DocumentFrequencies);
