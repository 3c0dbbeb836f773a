using RagService.Core.Diagnostics;

namespace RagService.Core.Prompting.Pipeline;

/// <summary>Runs the ask stages before the LLM in their registered order, recording each one's report in the traces.</summary>
public sealed class AskPipeline(IEnumerable<IAskStage> stages)
{
    private readonly IReadOnlyList<IAskStage> _stages = stages.ToList();

    /// <summary>The stages in the order they run.</summary>
    public IReadOnlyList<IAskStage> Stages => _stages;

    public async Task RunAsync(AskContext context)
    {
        foreach (var stage in _stages)
        {
            if (await stage.RunAsync(context) is { } report)
            {
                RagTelemetry.RecordStages([report], DateTimeOffset.UtcNow - TimeSpan.FromMilliseconds(report.Milliseconds));
            }
        }
    }
}
