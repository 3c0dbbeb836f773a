using Grpc.Core;
using Polly.CircuitBreaker;
using RagService.Core.Resilience;
using RagService.Core.Storage;

namespace RagService.Vectors.Qdrant;

/// <summary>
/// Runs each Qdrant call with its own deadline (<see cref="QdrantOptions.RequestTimeout"/>, which the server sees too)
/// through the "qdrant" <see cref="DependencyCircuit"/>: unavailable, deadline, resource-exhausted and aborted calls
/// are retried with jittered backoff and counted by the breaker; while the circuit is open a call fails at once. What
/// fails is a <see cref="StorageUnavailableException"/> that names Qdrant, what failed, and the status or the open circuit.
/// </summary>
internal sealed class QdrantCalls(QdrantOptions options, TimeProvider? time = null) : IDisposable
{
    public DependencyCircuit Circuit { get; } = new("qdrant", options.Endpoint.Authority, options.MaxRetries, options.RetryBaseDelay, options.Breaker,
        e => e is RpcException r && IsTransient(r.StatusCode), time);

    /// <param name="retry">False for a call that must answer quickly (a health check): one attempt.</param>
    public async Task<T> RunAsync<T>(string what, Func<DateTime, Task<T>> call, CancellationToken ct, bool retry = true)
    {
        try
        {
            return await Circuit.ExecuteAsync(_ => call(DateTime.UtcNow + options.RequestTimeout), ct, retry);
        }
        catch (BrokenCircuitException e)
        {
            throw new StorageUnavailableException($"the Qdrant vector store at {options.Endpoint.Authority} failed to {what}: {Circuit.DescribeOpen()}", e);
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
        {
            throw new StorageUnavailableException(
                $"the Qdrant vector store at {options.Endpoint.Authority} failed to {what}: {e.StatusCode} ({e.Status.Detail})", e);
        }
    }

    public void Dispose() => Circuit.Dispose();

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;
}
