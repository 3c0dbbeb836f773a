using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using RagService.Api.Ingestion;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Storage;

namespace RagService.Api.Jobs;

/// <summary>The access list a sync manifest gave a path (null: none), or no setting at all when the manifest named none.</summary>
internal sealed record AccessSetting(IReadOnlyList<string>? List);

/// <summary>A pending add or update, read, extracted and chunked ahead of its write.</summary>
/// <param name="Prepared">Null when reading or preparing it failed: see <see cref="Missing"/> and <see cref="Failure"/>.</param>
/// <param name="Missing">Why the job holds no content for it.</param>
/// <param name="Failure">What preparing it threw; the writer rethrows it where it records the item.</param>
/// <param name="Bytes">Its file's size, counted against <see cref="SyncOptions.PrepareAheadBytes"/> while it waits.</param>
internal sealed record StagedItem(JobItem Item, AccessSetting? Access, PreparedDocument? Prepared, string? Missing, ExceptionDispatchInfo? Failure, long Bytes);

/// <summary>
/// Reads, extracts and chunks a sync job's pending adds and updates in the background, in job order, ahead of the writer,
/// so the writer can embed several documents' passages together. Rules:
/// <list type="bullet">
/// <item>at most <see cref="SyncOptions.PrepareAheadDocuments"/> documents and <see cref="SyncOptions.PrepareAheadBytes"/>
/// file bytes wait in the queue (one document always passes, however large);</item>
/// <item>nothing is written here: an item's failure rides with it, so the writer records every item in order;</item>
/// <item>a store failure stops reading ahead (the writer then stops the job at that item);</item>
/// <item>disposing stops the reader and waits for it.</item>
/// </list>
/// </summary>
internal sealed class SyncPrepareStage : IAsyncDisposable
{
    private readonly Channel<StagedItem> _queue;
    private readonly SemaphoreSlim _taken = new(0);
    private readonly CancellationTokenSource _stop;
    private readonly long _maxBytes;
    private long _queuedBytes;
    private Task _reading = Task.CompletedTask;

    private SyncPrepareStage(SyncOptions options, CancellationToken ct)
    {
        _queue = Channel.CreateBounded<StagedItem>(new BoundedChannelOptions(options.PrepareAheadDocuments) { SingleReader = true, SingleWriter = true });
        _maxBytes = options.PrepareAheadBytes;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public static SyncPrepareStage Start(IJobStore jobs, DocumentIngestor ingestor, SyncOptions options, string jobId, CollectionInfo collection,
        IReadOnlyList<JobItem> items, IReadOnlyDictionary<string, IReadOnlyList<string>?> access, CancellationToken ct)
    {
        var stage = new SyncPrepareStage(options, ct);
        stage._reading = Task.Run(() => stage.ReadAsync(jobs, ingestor, jobId, collection, items, access, stage._stop.Token), CancellationToken.None);
        return stage;
    }

    /// <summary>
    /// The next items in job order: waits for one, then adds those already prepared while their passages stay within
    /// <paramref name="maxPassages"/>. Null once every item has been taken.
    /// </summary>
    public async Task<IReadOnlyList<StagedItem>?> NextGroupAsync(int maxPassages, CancellationToken ct)
    {
        if (!await _queue.Reader.WaitToReadAsync(ct) || !_queue.Reader.TryRead(out var first))
        {
            return null;
        }

        var group = new List<StagedItem> { first };
        var passages = Passages(first);
        while (_queue.Reader.TryPeek(out var next) && passages + Passages(next) <= maxPassages && _queue.Reader.TryRead(out next))
        {
            group.Add(next);
            passages += Passages(next);
        }

        Interlocked.Add(ref _queuedBytes, -group.Sum(s => s.Bytes));
        _taken.Release();
        return group;
    }

    private static int Passages(StagedItem staged) => staged.Prepared?.PassageCount ?? 0;

    private async Task ReadAsync(IJobStore jobs, DocumentIngestor ingestor, string jobId, CollectionInfo collection,
        IReadOnlyList<JobItem> items, IReadOnlyDictionary<string, IReadOnlyList<string>?> access, CancellationToken ct)
    {
        try
        {
            var signature = ingestor.Signature(collection);
            foreach (var item in items)
            {
                var setting = access.TryGetValue(item.Path, out var list) ? new AccessSetting(list) : null;
                var staged = await PrepareAsync(jobs, ingestor, jobId, collection, item, setting, signature, ct);
                while (Volatile.Read(ref _queuedBytes) > 0 && Volatile.Read(ref _queuedBytes) + staged.Bytes > _maxBytes)
                {
                    await _taken.WaitAsync(ct);
                }

                Interlocked.Add(ref _queuedBytes, staged.Bytes);
                await _queue.Writer.WriteAsync(staged, ct);
                if (staged.Failure?.SourceException is StorageUnavailableException)
                {
                    break;
                }
            }

            _queue.Writer.TryComplete();
        }
        catch (Exception e)
        {
            _queue.Writer.TryComplete(e);
        }
    }

    private static async Task<StagedItem> PrepareAsync(IJobStore jobs, DocumentIngestor ingestor, string jobId, CollectionInfo collection,
        JobItem item, AccessSetting? access, string signature, CancellationToken ct)
    {
        byte[]? content = null;
        try
        {
            // Jobs keep their files by SHA-256; jobs queued by an older version kept them on the item.
            content = item.Sha256 is null ? null
                : await jobs.ReadFileAsync(jobId, item.Sha256, ct) ?? await jobs.ReadContentAsync(jobId, item.Ordinal, ct);
            if (content is null || item.Sha256 is null)
            {
                return new StagedItem(item, access, null, "the file's content is missing from the job", null, 0);
            }

            var prepared = await ingestor.PrepareAsync(collection, content, item.Path, null, item.Path, null, SyncMetadata.For(item.Path),
                new SyncSource(item.Sha256, signature), access?.List, ct);
            return new StagedItem(item, access, prepared, null, null, content.Length);
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            return new StagedItem(item, access, null, null, ExceptionDispatchInfo.Capture(e), content?.Length ?? 0);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reading;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _taken.Dispose();
    }
}
