using RagService.Core.Models;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// The real ONNX test embedder with a gate the test controls: once armed, the next passage embedding (an ingestion)
/// signals <see cref="Entered"/> and waits until <see cref="Open"/>, so a test can change the world mid-ingest.
/// </summary>
internal sealed class GatedEmbedder : ITextEmbedder
{
    private readonly ITextEmbedder _inner;
    private TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _armed;

    public GatedEmbedder()
    {
        _inner = TestModelDirectories.LoadEmbedder();
    }

    public string ModelId => _inner.ModelId;

    public int Dimension => _inner.Dimension;

    public Task Entered => _entered.Task;

    public void Arm()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _armed, 1);
    }

    public void Open() => _open.TrySetResult();

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        if (purpose == EmbeddingPurpose.Passage && Interlocked.Exchange(ref _armed, 0) == 1)
        {
            _entered.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
        }

        return await _inner.EmbedAsync(texts, purpose, cancellationToken);
    }
}
