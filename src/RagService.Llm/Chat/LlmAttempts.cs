using Polly.CircuitBreaker;
using RagService.Core.Prompting;
using RagService.Core.Resilience;

namespace RagService.Llm.Chat;

/// <summary>
/// Runs an LLM call as attempts through the "llm" <see cref="DependencyCircuit"/> (<see cref="LlmCircuit"/>), each
/// attempt under its own time limit. The limit is ours, not Polly's timeout strategy, because that strategy ends its
/// token when the callback returns, while a stream keeps its attempt's token for the idle limit between tokens. A
/// cancelled caller is never retried and never turned into an LLM failure; an open circuit is a 502 at once.
/// </summary>
internal sealed class LlmAttempts(DependencyCircuit circuit)
{
    /// <param name="attempt">One attempt; gets a token source that fires at the time limit or when the caller cancels, and owns it on success.</param>
    /// <param name="limit">Time limit per attempt.</param>
    /// <param name="timeoutWording">How a timeout is described, e.g. "did not answer within".</param>
    public async Task<T> RunAsync<T>(Func<CancellationTokenSource, Task<T>> attempt, TimeSpan limit, string timeoutWording, CancellationToken ct)
    {
        try
        {
            return await circuit.ExecuteAsync(async token =>
            {
                var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(token);
                attemptCts.CancelAfter(limit);
                try
                {
                    return await attempt(attemptCts);
                }
                catch (Exception e) when (!token.IsCancellationRequested)
                {
                    var timedOut = attemptCts.IsCancellationRequested;
                    attemptCts.Dispose();
                    throw timedOut ? LlmFailure.Timeout(timeoutWording, limit) : LlmFailure.Describe(e);
                }
                catch
                {
                    attemptCts.Dispose();
                    throw;
                }
            }, ct);
        }
        catch (BrokenCircuitException e)
        {
            throw new LlmUnavailableException($"the LLM endpoint failed repeatedly: {circuit.DescribeOpen()}", timedOut: false, e);
        }
    }
}
