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

        if (job.Admission is not null)
        {
            await AdmitAsync(cmd, job, ct);
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
        await InsertFilesAsync(connection, tx, id, job.Files ?? [], ct);
        await tx.CommitAsync(ct);
        return ((await GetAsync(id, ct))!, true);
    }

    /// <summary>Refuses the job when the unfinished jobs (this write transaction holds the file's lock) are already at a bound.</summary>
    private static async Task AdmitAsync(SqliteCommand cmd, NewJob job, CancellationToken ct)
    {
        cmd.Parameters.Clear();
        cmd.CommandText = """
            SELECT (SELECT count(*) FROM jobs WHERE state IN ($q, $r)),
                   (SELECT coalesce(sum(f.bytes), 0) FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE j.state IN ($q, $r))
            """;
        cmd.Parameters.AddWithValue("$q", Name(JobState.Queued));
        cmd.Parameters.AddWithValue("$r", Name(JobState.Running));
        long jobs, bytes;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (jobs, bytes) = (reader.GetInt64(0), reader.GetInt64(1));
        }

        job.Admission!.Check(job, jobs, bytes);
    }

    private static async Task InsertFilesAsync(SqliteConnection connection, SqliteTransaction tx, string id, IReadOnlyList<JobFile> files, CancellationToken ct)
    {
        await using var insert = connection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = "INSERT INTO job_files(job_id, sha256, bytes, content) VALUES ($id, $h, $n, $b) ON CONFLICT DO NOTHING";
        insert.Parameters.AddWithValue("$id", id);
        var sha = insert.Parameters.Add("$h", SqliteType.Text);
        var bytes = insert.Parameters.Add("$n", SqliteType.Integer);
        var content = insert.Parameters.Add("$b", SqliteType.Blob);
        foreach (var file in files)
        {
            var data = await file.ReadAsync(ct);
            (sha.Value, bytes.Value, content.Value) = (file.Sha256, data.LongLength, data);
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<byte[]?> ReadFileAsync(string id, string sha256, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT content FROM job_files WHERE job_id = $id AND sha256 = $h";
        cmd.Parameters.AddWithValue("$id", id);
        cmd.Parameters.AddWithValue("$h", sha256);
        return await cmd.ExecuteScalarAsync(ct) as byte[];
    }

    /// <summary>The jobs that may be leased now (see <see cref="IJobStore.ClaimNextAsync"/>), oldest first; $now is ISO 8601 UTC, like lease_until.</summary>
    private const string Claimable = """
        SELECT j.id FROM jobs j
        WHERE j.state IN ($q, $r) AND (j.lease_until IS NULL OR j.lease_until < $now)
          AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.collection = j.collection AND o.id <> j.id AND o.state IN ($q, $r)
                          AND (o.lease_until >= $now OR (o.created_at, o.id) < (j.created_at, j.id)))
        """;

    public Task<string?> ClaimNextAsync(string owner, TimeSpan lease, CancellationToken ct) => ClaimAsync(null, owner, lease, ct);

    public async Task<bool> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken ct) => await ClaimAsync(id, owner, lease, ct) is not null;

    /// <summary>Leases job <paramref name="id"/>, or the oldest claimable job when null; the id leased, or null.</summary>
    private async Task<string?> ClaimAsync(string? id, string owner, TimeSpan lease, CancellationToken ct)
    {
        string? claimed = null;
        await InLeaseTransactionAsync(owner, lease, async cmd =>
        {
            cmd.CommandText = Claimable + (id is null ? " ORDER BY j.created_at, j.id LIMIT 1" : " AND j.id = $id");
            cmd.Parameters.AddWithValue("$id", (object?)id ?? DBNull.Value);
            claimed = await cmd.ExecuteScalarAsync(ct) as string;
            if (claimed is not null)
            {
                await LeaseAsync(cmd, claimed, ct);
            }
        }, ct);
        return claimed;
    }

    public async Task<bool> RenewLeaseAsync(string id, string owner, TimeSpan lease, CancellationToken ct)
    {
        var renewed = false;
        await InLeaseTransactionAsync(owner, lease, async cmd =>
        {
            cmd.CommandText = "UPDATE jobs SET lease_until = $until WHERE id = $id AND lease_owner = $owner AND state IN ($q, $r)";
            cmd.Parameters.AddWithValue("$id", id);
            renewed = await cmd.ExecuteNonQueryAsync(ct) == 1;
        }, ct);
        return renewed;
    }

    /// <summary>Every lease not <paramref name="owner"/>'s is a previous process's (the data folder lock admits one service): expired now.</summary>
    public async Task<int> EndLeasesOfEndedProcessesAsync(string owner, CancellationToken ct)
    {
        var ended = 0;
        await InLeaseTransactionAsync(owner, TimeSpan.Zero, async cmd =>
        {
            cmd.CommandText = "UPDATE jobs SET lease_until = $now WHERE lease_owner IS NOT NULL AND lease_owner <> $owner AND lease_until > $now AND state IN ($q, $r)";
            ended = await cmd.ExecuteNonQueryAsync(ct);
        }, ct);
        return ended;
    }

    public Task ReleaseAsync(string id, string owner, CancellationToken ct) =>
        InLeaseTransactionAsync(owner, TimeSpan.Zero, async cmd =>
        {
            cmd.CommandText = """
                UPDATE jobs SET state = $q, stage = $g, lease_owner = NULL, lease_until = NULL, updated_at = $now
                WHERE id = $id AND lease_owner = $owner AND state IN ($q, $r)
                """;
            cmd.Parameters.AddWithValue("$id", id);
            cmd.Parameters.AddWithValue("$g", Name(JobStage.Planned));
            await cmd.ExecuteNonQueryAsync(ct);
        }, ct);

    private static async Task LeaseAsync(SqliteCommand cmd, string id, CancellationToken ct)
    {
        cmd.CommandText = "UPDATE jobs SET lease_owner = $owner, lease_until = $until, updated_at = $now WHERE id = $claimed";
        cmd.Parameters.AddWithValue("$claimed", id);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>One write transaction (the file's write lock orders claims) with $owner, $now, $until, $q and $r bound.</summary>
    private async Task InLeaseTransactionAsync(string owner, TimeSpan lease, Func<SqliteCommand, Task> work, CancellationToken ct)
    {
        await using var connection = _connections.Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        var now = DateTimeOffset.UtcNow;
        cmd.Parameters.AddWithValue("$owner", owner);
        cmd.Parameters.AddWithValue("$now", now.ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$until", (now + lease).ToString("O", CultureInfo.InvariantCulture));
        cmd.Parameters.AddWithValue("$q", Name(JobState.Queued));
        cmd.Parameters.AddWithValue("$r", Name(JobState.Running));
        await work(cmd);
        await tx.CommitAsync(ct);
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
                UPDATE jobs SET state = $s, stage = $g, error = $e, updated_at = $now, finished_at = $now, lease_owner = NULL, lease_until = NULL WHERE id = $id;
                UPDATE job_items SET content = NULL WHERE job_id = $id AND content IS NOT NULL;
                DELETE FROM job_files WHERE job_id = $id;
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
