namespace RagService.Core.Retrieval.Pipeline;

/// <summary>What became of one stage of a search or an ask.</summary>
public enum StageStatus
{
    /// <summary>It ran.</summary>
    Ok,

    /// <summary>It is configured but this request did not need it (e.g. dense retrieval in mode bm25).</summary>
    Skipped,

    /// <summary>It is not configured (no model, turned off by configuration or calibration).</summary>
    Off,

    /// <summary>It ran and failed; the search went on without it.</summary>
    Failed,

    /// <summary>It ran and found nothing specific to the question (the lexical floor's verdict).</summary>
    NotFound,
}

/// <summary>The status as the "stages" array of a response spells it.</summary>
public static class StageStatusNames
{
    public static string WireName(this StageStatus status) => status switch
    {
        StageStatus.Ok => "ok",
        StageStatus.Skipped => "skipped",
        StageStatus.Off => "off",
        StageStatus.Failed => "failed",
        StageStatus.NotFound => "not found",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
