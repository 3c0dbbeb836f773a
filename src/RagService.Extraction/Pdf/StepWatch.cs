namespace RagService.Extraction.Pdf;

/// <summary>
/// Shared between the thread reading a PDF and the caller bounding it: which step (opening, page N) runs and since
/// when, and whether the caller gave up, so the reader starts no further page.
/// </summary>
internal sealed class StepWatch(TimeProvider time)
{
    private sealed record Step(string What, long StartedAt);

    private volatile Step current = new("starting", time.GetTimestamp());
    private volatile bool abandoned;

    public bool Abandoned => abandoned;

    public (string What, TimeSpan Elapsed) Current
    {
        get
        {
            var step = current;
            return (step.What, time.GetElapsedTime(step.StartedAt));
        }
    }

    public void Start(string what) => current = new Step(what, time.GetTimestamp());

    public void Abandon() => abandoned = true;
}
