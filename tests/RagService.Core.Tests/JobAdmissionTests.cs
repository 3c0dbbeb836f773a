using RagService.Core.Jobs;

namespace RagService.Core.Tests;

/// <summary>The cluster-wide bounds on unfinished jobs, met at their edges (the stores call <see cref="JobAdmission.Check"/>).</summary>
public sealed class JobAdmissionTests
{
    private static readonly JobAdmission Bounds = new(MaxUnfinishedJobs: 3, MaxFileBytes: 1_000);

    private static NewJob Job(params long[] fileLengths) => new("sync", "docs", Prune: false, IdempotencyKey: null, RequestHash: "h", Items: [],
        Files: fileLengths.Length == 0 ? null : fileLengths.Select((length, i) => new JobFile($"sha{i}", length, _ => Task.FromResult(Array.Empty<byte>()))).ToList());

    [Fact]
    public void A_job_is_accepted_below_the_job_bound_and_refused_at_it()
    {
        Bounds.Check(Job(), unfinishedJobs: 2, fileBytesInUse: 0);

        var refused = Assert.Throws<JobAdmissionException>(() => Bounds.Check(Job(), unfinishedJobs: 3, fileBytesInUse: 0));
        Assert.Equal(JobAdmissionLimit.Jobs, refused.Limit);
        Assert.Equal("unfinished jobs already hold 3 jobs and this one brings 1", refused.Message);
    }

    [Fact]
    public void A_jobs_files_are_summed_and_may_fill_the_byte_bound_exactly()
    {
        Bounds.Check(Job(300, 200), unfinishedJobs: 0, fileBytesInUse: 500);

        var refused = Assert.Throws<JobAdmissionException>(() => Bounds.Check(Job(300, 201), unfinishedJobs: 0, fileBytesInUse: 500));
        Assert.Equal(JobAdmissionLimit.FileBytes, refused.Limit);
        Assert.Equal("unfinished jobs already hold 500 bytes and this one brings 501", refused.Message);
    }

    [Fact]
    public void A_job_without_files_brings_no_bytes()
    {
        Bounds.Check(Job(), unfinishedJobs: 0, fileBytesInUse: 1_000);
        Assert.Throws<JobAdmissionException>(() => Bounds.Check(Job(1), unfinishedJobs: 0, fileBytesInUse: 1_000));
    }
}
