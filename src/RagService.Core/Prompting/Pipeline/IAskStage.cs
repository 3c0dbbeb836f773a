using RagService.Core.Retrieval;

namespace RagService.Core.Prompting.Pipeline;

/// <summary>
/// One step of an ask before the LLM, with one job: it reads and writes the request's <see cref="AskContext"/>. Stages
/// run in the order they were registered (<see cref="AskPipelineRegistration"/>); the LLM call is the <see cref="IAnswerStage"/>.
/// </summary>
public interface IAskStage
{
    /// <summary>Runs the stage; its report goes to the traces, or null when it has nothing to report for this request.</summary>
    Task<StageReport?> RunAsync(AskContext context);
}
