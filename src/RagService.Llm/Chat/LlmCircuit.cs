using RagService.Core.Prompting;
using RagService.Core.Resilience;

namespace RagService.Llm.Chat;

/// <summary>The "llm" <see cref="DependencyCircuit"/>: retries and breaks on timeouts, 408/429/5xx and connection failures.</summary>
public static class LlmCircuit
{
    public static DependencyCircuit Create(LlmOptions options, TimeProvider? time = null) =>
        new("llm", options.BaseUri.Authority, options.MaxRetries, options.RetryDelay, options.Breaker, IsTransient, time);

    private static bool IsTransient(Exception e) => e is LlmUnavailableException { TimedOut: true } || LlmFailure.IsTransient(e);
}
