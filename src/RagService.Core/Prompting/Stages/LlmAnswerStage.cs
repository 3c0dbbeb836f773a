using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagService.Core.Diagnostics;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;

namespace RagService.Core.Prompting.Stages;

/// <summary>
/// The "llm" stage: the <see cref="AnswerModel"/> answers the prompt, with the caller's temperature and output cap. A
/// failed or timed-out call becomes <see cref="LlmUnavailableException"/>; a streamed answer is cancelled with the caller.
/// </summary>
public sealed class LlmAnswerStage(AnswerModel llm) : IAnswerStage
{
    private readonly IChatClient _chat = llm.Chat ?? throw new ArgumentException("AnswerModel.None has no LLM: use LlmAnswerStage.Off", nameof(llm));

    /// <summary>Why the "llm" stage is off: the setting that turns it on.</summary>
    public const string OffReason = "no LLM configured (RAG_LLM_URL)";

    /// <summary>The stage without an LLM: the prompt and sources come back with no answer (llm "not configured").</summary>
    public static IAnswerStage Off { get; } = new NoLlmAnswerStage();

    public bool Configured => true;

    public async Task<AskOutcome> AnswerAsync(AskContext context, AnswerGeneration generation)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var response = await _chat.GetResponseAsync(Messages(context), generation.Options(llm.Model), context.CancellationToken);
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
            return context.Outcome(response.Text, "ok", response.ModelId ?? llm.Model, sw.Elapsed.TotalMilliseconds, response.Usage, response.FinishReason);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LlmUnavailableException))
        {
            // Never the exception's message: it may carry the upstream's body.
            throw new LlmUnavailableException($"the LLM endpoint failed ({e.GetType().Name})", e is TimeoutException, e);
        }
    }

    public (AskOutcome Start, IAsyncEnumerable<string> Tokens) Stream(AskContext context, AnswerGeneration generation, StreamedCompletion? completion) =>
        (context.Outcome(null, "ok", llm.Model), Tokens(context, generation, completion, context.CancellationToken));

    private async IAsyncEnumerable<string> Tokens(AskContext context, AnswerGeneration generation, StreamedCompletion? completion,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var update in _chat.GetStreamingResponseAsync(Messages(context), generation.Options(llm.Model), ct))
        {
            if (completion is not null && update.Contents.OfType<UsageContent>().FirstOrDefault() is { } counts)
            {
                completion.Usage = counts.Details;
            }

            if (completion is not null && update.FinishReason is { } finish)
            {
                completion.FinishReason = finish;
            }

            if (!string.IsNullOrEmpty(update.Text))
            {
                yield return update.Text;
            }
        }
    }

    private static List<ChatMessage> Messages(AskContext context)
    {
        var prompt = context.Prompt ?? throw new InvalidOperationException("the ask pipeline has no prompt stage (AddAskPipeline registers it)");
        return [new ChatMessage(ChatRole.System, prompt.System), new ChatMessage(ChatRole.User, prompt.User)];
    }

    private sealed class NoLlmAnswerStage : IAnswerStage
    {
        public bool Configured => false;

        public Task<AskOutcome> AnswerAsync(AskContext context, AnswerGeneration generation) => Task.FromResult(context.Outcome(null, "not configured"));

        public (AskOutcome Start, IAsyncEnumerable<string> Tokens) Stream(AskContext context, AnswerGeneration generation, StreamedCompletion? completion) =>
            (context.Outcome(null, "not configured"), AsyncEnumerable.Empty<string>());
    }
}
