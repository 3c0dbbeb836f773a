using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Api.Jobs;

namespace RagService.Api.Tests.Sync;

/// <summary>The job queue's bound, counted in slots reserved before a job is stored (the running job holds one).</summary>
public sealed class JobQueueTests
{
    private static JobQueue Queue(int capacity) => new(Options.Create(new RagOptions { Sync = new SyncOptions { MaxQueuedJobs = capacity } }));

    [Fact]
    public void A_full_queue_refuses_until_a_slot_is_released()
    {
        var queue = Queue(2);
        Assert.True(queue.TryReserve("a", 1, out _));
        Assert.True(queue.TryReserve("b", 1, out _));
        Assert.False(queue.TryReserve("c", 1, out var refusal));
        Assert.NotNull(refusal);
        Assert.Equal(2, queue.SlotsInUse);

        queue.Release("a");
        Assert.True(queue.TryReserve("c", 1, out _));
        Assert.False(queue.TryReserve("d", 1, out _));
    }

    [Fact]
    public void Jobs_resumed_at_start_take_slots_beyond_the_bound_and_new_work_waits_for_them()
    {
        var queue = Queue(1);
        queue.Resume("job_1", 1);
        queue.Resume("job_2", 1);
        Assert.Equal(2, queue.SlotsInUse);
        Assert.False(queue.TryReserve("job_3", 1, out _));

        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal("job_1", first);
        queue.Release("job_1");
        queue.Release("job_2");
        Assert.True(queue.TryReserve("job_3", 1, out _));
    }
}
