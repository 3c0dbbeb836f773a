using RagService.Core.ChangeLog;
using RagService.Core.Storage;

namespace RagService.Api.Replication;

/// <summary>
/// Runs <see cref="IndexFollower"/> whenever the store signals a write (PostgreSQL NOTIFY) and at least every
/// Rag:ChangeLog:PollInterval, and trims the change log every Rag:ChangeLog:TrimInterval (one replica at a time: one
/// that finds the cluster lock taken leaves the trim to its holder). A store fault is logged once and retried at the next poll.
/// </summary>
internal sealed class ChangeFollowerService(IndexFollower follower, IChangeFeed feed, ChangeLogOptions options, Core.Cluster.IClusterLock clusterLock,
    ILogger<ChangeFollowerService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var nextTrim = DateTimeOffset.UtcNow + options.TrimInterval;
        var failing = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await follower.FollowOnceAsync(stoppingToken);
                if (DateTimeOffset.UtcNow >= nextTrim)
                {
                    await using (var held = await clusterLock.TryAcquireAsync("change-log-trim", stoppingToken))
                    {
                        if (held is not null)
                        {
                            var trimmed = await feed.TrimAsync(options.RetainVersions, stoppingToken);
                            logger.ChangeLogTrimmed(trimmed, options.RetainVersions);
                        }
                    }

                    nextTrim = DateTimeOffset.UtcNow + options.TrimInterval;
                }

                failing = false;
                await feed.WaitForChangeAsync(options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (StorageUnavailableException e)
            {
                if (!failing)
                {
                    logger.FollowFailing(e.Message, options.PollInterval);
                }

                failing = true;
                await Task.Delay(options.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Anything else (an index folder dropped under a reader, a row gone mid-read) must not end the host,
                // which an exception leaving a background service does: log it and follow again from the recorded version.
                logger.FollowError(e, options.PollInterval);
                await Task.Delay(options.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
