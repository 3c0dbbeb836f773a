namespace RagService.Api.Tests;

/// <summary>
/// A stopped <see cref="ServiceHost"/> leaves no file handle on its database (its pool released through
/// <see cref="SqliteStorePool"/>), while another host's pooled connections stay open. The oracle is the process's own
/// open files (/proc/self/fd), so the test runs where Linux's procfs is.
/// </summary>
public sealed class SqliteStorePoolTests
{
    [SkippableFact]
    public async Task Stopping_a_host_closes_its_database_file_and_leaves_another_hosts_connections_open()
    {
        Skip.IfNot(Directory.Exists("/proc/self/fd"), "needs /proc/self/fd to list this process's open files");
        await using var kept = await ServiceHost.StartAsync();
        await using var stopped = await ServiceHost.StartAsync();
        foreach (var host in new[] { stopped, kept })
        {
            await host.CreateCollectionAsync("kb");
            await host.IngestAsync("kb", new { id = "a", text = "The oven reaches 450 degrees in twenty minutes." });
        }

        Assert.NotEmpty(OpenHandles(stopped.DatabasePath));

        await stopped.StopAsync();

        Assert.Empty(OpenHandles(stopped.DatabasePath));
        Assert.NotEmpty(OpenHandles(kept.DatabasePath));
    }

    /// <summary>This process's open files that are the database or its -wal / -shm companions.</summary>
    private static List<string> OpenHandles(string databasePath)
    {
        var database = Path.GetFullPath(databasePath);
        var open = new List<string>();
        foreach (var descriptor in Directory.EnumerateFiles("/proc/self/fd"))
        {
            string? target;
            try
            {
                target = new FileInfo(descriptor).LinkTarget;
            }
            catch (IOException)
            {
                continue; // closed between listing and reading
            }

            if (target is not null && (target == database || target.StartsWith(database + "-", StringComparison.Ordinal)))
            {
                open.Add(target);
            }
        }

        return open;
    }
}
