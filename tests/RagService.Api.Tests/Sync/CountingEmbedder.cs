using System.Collections.Concurrent;
using RagService.Core.Models;

namespace RagService.Api.Tests.Sync;

/// <summary>An embedder that records every text it is asked to embed, so tests can count embedding work per document.</summary>
internal sealed class CountingEmbedder(string modelId = "counting-test-embedder") : ITextEmbedder
{
    private readonly ConcurrentQueue<IReadOnlyList<string>> _calls = new();

    public string ModelId => modelId;

    public int Dimension => 4;

    public IReadOnlyList<IReadOnlyList<string>> Calls => _calls.ToList();

    public IReadOnlyList<string> Texts => _calls.SelectMany(c => c).ToList();

    public void Reset() => _calls.Clear();

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        _calls.Enqueue(texts.ToList());
        return Task.FromResult(texts.Select(t => new[] { 1f, 0f, 0f, 0f }).ToArray());
    }
}
