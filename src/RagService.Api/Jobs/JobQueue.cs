using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Diagnostics;

namespace RagService.Api.Jobs;

/// <summary>
/// Job ids waiting for the worker. Bounded by <see cref="SyncOptions.MaxQueuedJobs"/>, counting the running job:
/// a caller reserves a slot before storing a job, so a full queue refuses work before anything is written.
/// </summary>
internal sealed class JobQueue(IOptions<RagOptions> options)
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private static readonly UpDownCounter<int> Depth =
        RagTelemetry.Meter.CreateUpDownCounter<int>("rag.jobs.queued", "{job}", "Ingestion jobs queued or running");

    private int _slotsInUse;

    public ChannelReader<string> Reader => _channel.Reader;

    public int SlotsInUse => Volatile.Read(ref _slotsInUse);

    public bool TryReserve()
    {
        var capacity = options.Value.Sync.MaxQueuedJobs;
        while (true)
        {
            var used = Volatile.Read(ref _slotsInUse);
            if (used >= capacity)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _slotsInUse, used + 1, used) == used)
            {
                Depth.Add(1);
                return true;
            }
        }
    }

    /// <summary>Hands a job to the worker; the caller holds a reserved slot.</summary>
    public void Enqueue(string jobId) => _channel.Writer.TryWrite(jobId);

    /// <summary>Re-queues a job found unfinished at start-up; it takes a slot even beyond the bound, since it was accepted before.</summary>
    public void Resume(string jobId)
    {
        Interlocked.Increment(ref _slotsInUse);
        Depth.Add(1);
        Enqueue(jobId);
    }

    public void Release()
    {
        Interlocked.Decrement(ref _slotsInUse);
        Depth.Add(-1);
    }
}
