using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RagService.Api.Hosting;
using RagService.Core.Diagnostics;

namespace RagService.Api.Jobs;

/// <summary>
/// Job ids waiting for the worker. Bounded by <see cref="SyncOptions.MaxQueuedJobs"/> (counting the running job) and by
/// <see cref="SyncOptions.MaxQueuedBytes"/> of spooled files: a caller reserves before storing a job, so a full queue
/// refuses work before anything is written.
/// </summary>
internal sealed class JobQueue(IOptions<RagOptions> options)
{
    private readonly Channel<string> _channel = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private static readonly UpDownCounter<int> Depth =
        RagTelemetry.Meter.CreateUpDownCounter<int>("rag.jobs.queued", "{job}", "Ingestion jobs queued or running");

    private readonly ConcurrentDictionary<string, long> _reserved = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private long _bytesInUse;

    public ChannelReader<string> Reader => _channel.Reader;

    public int SlotsInUse => _reserved.Count;

    /// <summary>Reserves a slot and <paramref name="bytes"/> for <paramref name="jobId"/>, or says which bound is full.</summary>
    public bool TryReserve(string jobId, long bytes, out string? refusal)
    {
        var sync = options.Value.Sync;
        lock (_gate)
        {
            if (_reserved.Count >= sync.MaxQueuedJobs)
            {
                refusal = $"{sync.MaxQueuedJobs} jobs are already queued or running (Rag:Sync:MaxQueuedJobs)";
                return false;
            }

            if (_bytesInUse + bytes > sync.MaxQueuedBytes)
            {
                refusal = $"queued jobs already hold {_bytesInUse} bytes of files and this one brings {bytes}; the limit is {sync.MaxQueuedBytes} (Rag:Sync:MaxQueuedBytes)";
                return false;
            }

            _reserved[jobId] = bytes;
            _bytesInUse += bytes;
            Depth.Add(1);
            refusal = null;
            return true;
        }
    }

    /// <summary>Hands a job to the worker; the caller holds a reservation.</summary>
    public void Enqueue(string jobId) => _channel.Writer.TryWrite(jobId);

    /// <summary>Whether the job holds a slot (queued or running in this process).</summary>
    public bool Holds(string jobId) => _reserved.ContainsKey(jobId);

    /// <summary>Re-queues a job found unfinished at start-up; it is counted even beyond the bounds, since it was accepted before.</summary>
    public void Resume(string jobId, long bytes)
    {
        lock (_gate)
        {
            _reserved[jobId] = bytes;
            _bytesInUse += bytes;
        }

        Depth.Add(1);
        Enqueue(jobId);
    }

    public void Release(string jobId)
    {
        lock (_gate)
        {
            if (_reserved.TryRemove(jobId, out var bytes))
            {
                _bytesInUse -= bytes;
                Depth.Add(-1);
            }
        }
    }
}
