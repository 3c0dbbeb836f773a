using Microsoft.Extensions.Logging.Abstractions;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagService.Core.Jobs;

namespace RagService.Storage.Sqlite;

/// <summary>Jobs in the same SQLite file as the knowledge base. Progress counts are computed from the items, so they cannot drift.</summary>
public sealed class SqliteJobStore : IJobStore
{
    private const string JobColumns =
        "SELECT id, kind, collection, state, stage, prune, idempotency_key, request_hash, error, created_at, updated_at, finished_at FROM jobs";

    private readonly SqliteConnectionFactory _connections;

    public SqliteJobStore(SqliteStoreOptions options)
    {
        _connections = new SqliteConnectionFactory(options);
        Fault = StorageFault.EnsureSchema(_connections, NullLogger.Instance);
    }

    /// <summary>Why the data folder cannot be written (found at start-up), or null.</summary>
    public string? Fault { get; }

    public async Task<(JobRecord Job, bool Created)> CreateAsync(NewJob job, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        if (job.IdempotencyKey is not null)
        {
            cmd.CommandText = JobColumns + " WHERE collection = $c AND idempotency_key = $k";
            cmd.Parameters.AddWithValue("$c", job.Collection);
            cmd.Parameters.AddWithValue("$k", job.IdempotencyKey);
            JobRecord? existing = null;
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                if (await reader.ReadAsync(ct))
                {
                    existing = ReadJob(reader, JobCounts.Empty);
                }
            }

            if (existing is not null)
            {
                return (existing with { Counts = await CountsAsync(connection, tx, existing.Id, ct) }, false);
            }
        }

        var id = job.Id ?? "job_" + Guid.NewGuid().ToString("N");
        var now = Now();
        cmd.Parameters.Clear();
        cmd.CommandText = """
            INSERT INTO jobs(id, kind, collection, state, stage, prune, idempotency_key, request_hash, created_at, updated_at)
            VALUES ($id, $kind, $c, $state, $stage, $prune, $k, $h, $now, $now)
            """;
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$kind", job.Kind);
        cmd.Parameters.AddWithValue("$c", job.Collection);
        cmd.Parameters.AddWithValue("$state", Name(JobState.Queued));
        cmd.Parameters.AddWithValue("$stage", Name(JobStage.Planned));
        cmd.Parameters.AddWithValue("$prune", job.Prune ? 1 : 0);
        cmd.Parameters.AddWithValue("$k", (object?)job.IdempotencyKey ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$h", job.RequestHash);
        cmd.Parameters.AddWithValue("$now", now);
        await cmd.ExecuteNonQueryAsync(ct);
        await InsertItemsAsync(connection, tx, id, 0, job.Items, ct);
        await tx.CommitAsync(ct);
        return ((await GetAsync(id, ct))!, true);
    }

    public async Task<JobRecord?> GetAsync(string id, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = JobColumns + " WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        JobRecord? job = null;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                job = ReadJob(reader, JobCounts.Empty);
            }
        }

        return job is null ? null : job with { Counts = await CountsAsync(connection, null, id, ct) };
    }

    public async Task<IReadOnlyList<JobRecord>> ListAsync(string? collection, int limit, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = JobColumns + " WHERE $c IS NULL OR collection = $c ORDER BY created_at DESC LIMIT $l";
        cmd.Parameters.AddWithValue("$c", (object?)collection ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$l", limit);
        var jobs = new List<JobRecord>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                jobs.Add(ReadJob(reader, JobCounts.Empty));
            }
        }

        for (var i = 0; i < jobs.Count; i++)
        {
            jobs[i] = jobs[i] with { Counts = await CountsAsync(connection, null, jobs[i].Id, ct) };
        }

        return jobs;
    }

    public async Task<IReadOnlyList<string>> ListUnfinishedAsync(CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT id FROM jobs WHERE state IN ($q, $r) ORDER BY created_at";
        cmd.Parameters.AddWithValue("$q", Name(JobState.Queued));
        cmd.Parameters.AddWithValue("$r", Name(JobState.Running));
        var ids = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public async Task<IReadOnlyList<JobItem>> GetItemsAsync(string id, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT ordinal, path, action, status, sha256, chunks, error, warnings FROM job_items WHERE job_id = $id ORDER BY ordinal";
        cmd.Parameters.AddWithValue("$id", id);
        var items = new List<JobItem>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(new JobItem(
                reader.GetInt32(0),
                reader.GetString(1),
                Enum.Parse<SyncAction>(reader.GetString(2), ignoreCase: true),
                Enum.Parse<ItemStatus>(reader.GetString(3), ignoreCase: true),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? [] : JsonSerializer.Deserialize<List<string>>(reader.GetString(7)) ?? []));
        }

        return items;
    }

    public async Task<byte[]?> ReadContentAsync(string id, int ordinal, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT content FROM job_items WHERE job_id = $id AND ordinal = $o";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$o", ordinal);
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    public Task AddItemsAsync(string id, IReadOnlyList<NewJobItem> items, CancellationToken ct) =>
        InTransactionAsync(id, async (connection, tx, cmd) =>
        {
            cmd.CommandText = "SELECT coalesce(max(ordinal) + 1, 0) FROM job_items WHERE job_id = $id";
            var next = Convert.ToInt32(await cmd.ExecuteScalarAsync(ct), CultureInfo.InvariantCulture);
            await InsertItemsAsync(connection, tx, id, next, items, ct);
            await TouchAsync(connection, tx, id, ct);
        }, ct);

    public async Task SetStateAsync(string id, JobState state, JobStage stage, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "UPDATE jobs SET state = $s, stage = $g, updated_at = $now WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$s", Name(state));
        cmd.Parameters.AddWithValue("$g", Name(stage));
        cmd.Parameters.AddWithValue("$now", Now());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task CompleteItemAsync(string id, int ordinal, ItemStatus status, SyncAction action, int chunks, string? error, IReadOnlyList<string> warnings, CancellationToken ct) =>
        InTransactionAsync(id, async (connection, tx, cmd) =>
        {
            cmd.CommandText = "UPDATE job_items SET status = $s, action = $a, chunks = $n, error = $e, warnings = $w, content = NULL WHERE job_id = $id AND ordinal = $o";
            cmd.Parameters.AddWithValue("$o", ordinal);
            cmd.Parameters.AddWithValue("$s", Name(status));
            cmd.Parameters.AddWithValue("$a", Name(action));
            cmd.Parameters.AddWithValue("$n", chunks);
            cmd.Parameters.AddWithValue("$e", (object?)error ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$w", warnings.Count == 0 ? DBNull.Value : JsonSerializer.Serialize(warnings));
            await cmd.ExecuteNonQueryAsync(ct);
            await TouchAsync(connection, tx, id, ct);
        }, ct);

    public async Task<int> DeleteFinishedBeforeAsync(DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $t";
        cmd.Parameters.AddWithValue("$t", before.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task FinishAsync(string id, JobState state, string? error, CancellationToken ct) =>
        InTransactionAsync(id, async (_, _, cmd) =>
        {
            cmd.CommandText = """
                UPDATE jobs SET state = $s, stage = $g, error = $e, updated_at = $now, finished_at = $now WHERE id = $id;
                UPDATE job_items SET content = NULL WHERE job_id = $id AND content IS NOT NULL;
                """;
            cmd.Parameters.AddWithValue("$s", Name(state));
            cmd.Parameters.AddWithValue("$g", Name(JobStage.Done));
            cmd.Parameters.AddWithValue("$e", (object?)error ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$now", Now());
            await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>Runs one write transaction with a command already bound to it and to $id.</summary>
    private async Task InTransactionAsync(string id, Func<SqliteConnection, SqliteTransaction, SqliteCommand, Task> work, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.Parameters.AddWithValue("$id", id);
        await work(connection, tx, cmd);
        await tx.CommitAsync(ct);
    }

    private static async Task InsertItemsAsync(SqliteConnection connection, SqliteTransaction tx, string id, int firstOrdinal, IReadOnlyList<NewJobItem> items, CancellationToken ct)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO job_items(job_id, ordinal, path, action, status, sha256, error, content)
            VALUES ($id, $o, $p, $a, $s, $h, $e, $b)
            """;
        insert.Parameters.AddWithValue("$id", id);
        var ordinal = insert.Parameters.Add("$o", SqliteType.Integer);
        var path = insert.Parameters.Add("$p", SqliteType.Text);
        var action = insert.Parameters.Add("$a", SqliteType.Text);
        var status = insert.Parameters.Add("$s", SqliteType.Text);
        var sha = insert.Parameters.Add("$h", SqliteType.Text);
        var error = insert.Parameters.Add("$e", SqliteType.Text);
        var content = insert.Parameters.Add("$b", SqliteType.Blob);
        var next = firstOrdinal;
        foreach (var item in items)
        {
            ordinal.Value = next++;
            path.Value = item.Path;
            action.Value = Name(item.Action);
            status.Value = Name(item.Status);
            sha.Value = (object?)item.Sha256 ?? DBNull.Value;
            error.Value = (object?)item.Error ?? DBNull.Value;
            content.Value = (object?)item.Content ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task<JobCounts> CountsAsync(SqliteConnection connection, SqliteTransaction? tx, string id, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "SELECT action, status, count(*) FROM job_items WHERE job_id = $id GROUP BY action, status";
        cmd.Parameters.AddWithValue("$id", id);
        int total = 0, done = 0, added = 0, updated = 0, unchanged = 0, deleted = 0, failed = 0;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var action = Enum.Parse<SyncAction>(reader.GetString(0), ignoreCase: true);
            var status = Enum.Parse<ItemStatus>(reader.GetString(1), ignoreCase: true);
            var n = reader.GetInt32(2);
            if (action != SyncAction.Unchanged)
            {
                total += n;
                done += status == ItemStatus.Pending ? 0 : n;
            }

            if (status == ItemStatus.Failed)
            {
                failed += n;
            }
            else if (status == ItemStatus.Done)
            {
                switch (action)
                {
                    case SyncAction.Add: added += n; break;
                    case SyncAction.Update: updated += n; break;
                    case SyncAction.Unchanged: unchanged += n; break;
                    case SyncAction.Delete: deleted += n; break;
                }
            }
        }

        return new JobCounts(total, done, added, updated, unchanged, deleted, failed);
    }

    private static async Task TouchAsync(SqliteConnection connection, SqliteTransaction tx, string id, CancellationToken ct)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = "UPDATE jobs SET updated_at = $now WHERE id = $id";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$now", Now());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static JobRecord ReadJob(SqliteDataReader r, JobCounts counts) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        Enum.Parse<JobState>(r.GetString(3), ignoreCase: true),
        Enum.Parse<JobStage>(r.GetString(4), ignoreCase: true),
        r.GetInt64(5) != 0,
        counts,
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7),
        Time(r.GetString(9)),
        Time(r.GetString(10)),
        r.IsDBNull(11) ? null : Time(r.GetString(11)));

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();

    private static string Now() => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);
}
