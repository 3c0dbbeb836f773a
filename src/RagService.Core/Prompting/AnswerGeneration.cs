using Microsoft.Extensions.AI;

namespace RagService.Core.Prompting;

/// <summary>
/// How the LLM writes one answer: the caller's sampling temperature and output cap, passed through as given (null =
/// the service's defaults: temperature <see cref="DefaultTemperature"/>, no cap). The question rewrite keeps its own settings.
/// </summary>
public sealed record AnswerGeneration(float? Temperature = null, int? MaxOutputTokens = null)
{
    public const float DefaultTemperature = 0.1f;

    public static readonly AnswerGeneration Default = new();

    public ChatOptions Options(string? model) => new() { ModelId = model, Temperature = Temperature ?? DefaultTemperature, MaxOutputTokens = MaxOutputTokens };
}

/// <summary>
/// What the LLM reports about a streamed answer besides its text, filled once the stream ends: token counts and why it stopped (when it says).
/// </summary>
public sealed class StreamedCompletion
{
    public UsageDetails? Usage { get; internal set; }

    public ChatFinishReason? FinishReason { get; internal set; }
}
