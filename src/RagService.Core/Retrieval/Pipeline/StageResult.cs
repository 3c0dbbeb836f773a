namespace RagService.Core.Retrieval.Pipeline;

/// <summary>What one stage reports: its status, the reason or detail, how many candidates it produced, and which engine answered.</summary>
/// <param name="Milliseconds">Null: the pipeline's measurement of the stage's run. Stages that did not run report 0.</param>
public sealed record StageResult(StageStatus Status, int Candidates, string? Reason, string? Engine = null, double? Milliseconds = null)
{
    public static StageResult Ok(int candidates, string? detail = null, string? engine = null) => new(StageStatus.Ok, candidates, detail, engine);

    public static StageResult Skipped(string reason, int candidates = 0) => new(StageStatus.Skipped, candidates, reason, Milliseconds: 0);

    public static StageResult Off(string reason) => new(StageStatus.Off, 0, reason, Milliseconds: 0);

    public static StageResult Failed(string reason) => new(StageStatus.Failed, 0, reason, Milliseconds: 0);

    public StageReport ToReport(string stage, double measuredMilliseconds) =>
        new(stage, Status.WireName(), Candidates, Milliseconds ?? measuredMilliseconds, Reason, Engine);
}
