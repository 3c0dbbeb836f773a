using RagService.Core.Prompting;

namespace RagService.Llm.Chat;

/// <summary>
/// Runs an LLM call as attempts, each under its own time limit, retrying timeouts, 408/429/5xx and connection failures
/// with exponential backoff. A cancelled caller is never retried and never turned into an LLM failure.
/// </summary>
internal sealed class LlmAttempts(LlmOptions options)
{
    /// <param name="attempt">One attempt; gets a token that fires at the time limit or when the caller cancels.</param>
    /// <param name="limit">Time limit per attempt.</param>
    /// <param name="timeoutWording">How a timeout is described, e.g. "did not answer within".</param>
    public async Task<T> RunAsync<T>(Func<CancellationTokenSource, Task<T>> attempt, TimeSpan limit, string timeoutWording, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            attemptCts.CancelAfter(limit);
            LlmUnavailableException failure;
            bool transient;
            try
            {
                // The attempt owns attemptCts on success (a stream keeps using it for its idle timeout).
                return await attempt(attemptCts);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                var timedOut = attemptCts.IsCancellationRequested;
                failure = timedOut ? LlmFailure.Timeout(timeoutWording, limit) : LlmFailure.Describe(e);
                transient = timedOut || LlmFailure.IsTransient(e);
                attemptCts.Dispose();
            }
            catch
            {
                attemptCts.Dispose();
                throw;
            }

            if (!transient || retry >= options.MaxRetries)
            {
                throw failure;
            }

            await Task.Delay(options.RetryDelay * Math.Pow(2, retry), ct);
        }
    }
}
