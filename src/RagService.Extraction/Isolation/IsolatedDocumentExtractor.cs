using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// The <see cref="IDocumentExtractor"/> for untrusted files: each file is extracted by <see cref="DocumentExtractor"/>
/// in a worker process from <see cref="WorkerPool"/>, so a parser that overflows its stack, exhausts memory or CPU, or
/// hangs ends a worker, not the service; the upload is refused with what happened.
/// </summary>
public sealed class IsolatedDocumentExtractor : IDocumentExtractor, IDisposable
{
    private readonly WorkerPool _pool;

    public IsolatedDocumentExtractor(ExtractionOptions extraction, ExtractionIsolationOptions limits)
    {
        extraction.Validate();
        limits.Validate();
        _pool = new WorkerPool(extraction, limits);
    }

    /// <summary>Worker processes started so far, replacements included.</summary>
    public int WorkersStarted => _pool.Started;

    /// <summary>How the workers' memory is bounded (cgroup v2 memory.max or RLIMIT_DATA) and why.</summary>
    public MemoryLimitMechanism MemoryLimit => _pool.MemoryLimit;

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, CancellationToken cancellationToken) =>
        _pool.UseAsync(worker => worker.ExtractAsync(content, fileName, contentType, cancellationToken), cancellationToken);

    public void Dispose() => _pool.Dispose();
}
