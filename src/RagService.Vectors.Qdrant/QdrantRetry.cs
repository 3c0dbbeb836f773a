using Grpc.Core;
using RagService.Core.Storage;

namespace RagService.Vectors.Qdrant;

/// <summary>Runs one Qdrant call with a deadline, retries transient failures with doubling delays, and turns what is left into a clear error.</summary>
internal sealed class QdrantRetry(QdrantOptions options, Func<TimeSpan, CancellationToken, Task>? delay = null)
{
    private readonly Func<TimeSpan, CancellationToken, Task> _delay = delay ?? Task.Delay;

    public async Task<T> RunAsync<T>(string what, Func<DateTime, Task<T>> call, CancellationToken ct, bool retry = true)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await call(DateTime.UtcNow + options.RequestTimeout);
            }
            catch (RpcException e) when (retry && attempt < options.MaxRetries && IsTransient(e.StatusCode) && !ct.IsCancellationRequested)
            {
                await _delay(options.RetryBaseDelay * Math.Pow(2, attempt), ct);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled || !ct.IsCancellationRequested)
            {
                throw new StorageUnavailableException(
                    $"the Qdrant vector store at {options.Endpoint.Authority} failed to {what}: {e.StatusCode} ({e.Status.Detail})", e);
            }
        }
    }

    private static bool IsTransient(StatusCode code) =>
        code is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.ResourceExhausted or StatusCode.Aborted;
}
