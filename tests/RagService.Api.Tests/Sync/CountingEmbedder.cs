using System.Collections.Concurrent;
using RagService.Core.Models;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// The real ONNX embedder (the test-built model through ONNX Runtime) with every call recorded, so tests can count
/// embedding work. <paramref name="modelId"/> lets a test present the same model under another id (a "model change").
/// </summary>
internal sealed class CountingEmbedder : ITextEmbedder
{
    private readonly ConcurrentQueue<IReadOnlyList<string>> _calls = new();
    private readonly ITextEmbedder _inner;

    public CountingEmbedder(string? modelId = null)
    {
        _inner = TestModelDirectories.LoadEmbedder();
        ModelId = modelId ?? _inner.ModelId;
    }

    public string ModelId { get; }

    public int Dimension => _inner.Dimension;

    public IReadOnlyList<IReadOnlyList<string>> Calls => _calls.ToList();

    public IReadOnlyList<string> Texts => _calls.SelectMany(c => c).ToList();

    public void Reset() => _calls.Clear();

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        _calls.Enqueue(texts.ToList());
        return _inner.EmbedAsync(texts, purpose, cancellationToken);
    }
}
