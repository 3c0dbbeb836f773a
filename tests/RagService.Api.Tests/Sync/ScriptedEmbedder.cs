using RagService.Core.Models;

namespace RagService.Api.Tests.Sync;

/// <summary>
/// The real ONNX test embedder (the test-built model) with two controls a test sets: any passage call holding
/// <see cref="PoisonWord"/> throws (a model that cannot take one document's text), and passage call number
/// <see cref="HoldAtCall"/> (1-based) signals <see cref="Held"/> and waits for its cancellation token; the start of each
/// passage call can be awaited (<see cref="PassageCallStarted"/>).
/// </summary>
internal sealed class ScriptedEmbedder : ITextEmbedder
{
    private readonly ITextEmbedder _inner = TestModelDirectories.LoadEmbedder();
    private int _calls;

    public string ModelId => _inner.ModelId;

    public int Dimension => _inner.Dimension;

    public string? PoisonWord { get; set; }

    public int HoldAtCall { get; set; }

    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _started = new();

    /// <summary>Completes when passage call <paramref name="call"/> (1-based) starts.</summary>
    public Task PassageCallStarted(int call) => Started(call).Task;

    private TaskCompletionSource Started(int call) => _started.GetOrAdd(call, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        if (purpose == EmbeddingPurpose.Passage)
        {
            if (PoisonWord is { } poison && texts.Any(t => t.Contains(poison, StringComparison.Ordinal)))
            {
                throw new InvalidOperationException($"the model cannot embed '{poison}'");
            }

            var call = Interlocked.Increment(ref _calls);
            Started(call).TrySetResult();
            if (call == HoldAtCall)
            {
                Held.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }

        return await _inner.EmbedAsync(texts, purpose, cancellationToken);
    }
}
