using Npgsql;
using RagService.Core.Jobs;

namespace RagService.Storage.Postgres;

/// <summary>Jobs in the shared database, so any replica can report them. Progress counts are computed from the items, so they cannot drift.</summary>
public sealed class PostgresJobStore(PostgresDatabase database) : IJobStore
{
    /// <summary>An arbitrary constant naming the advisory lock that job admissions and claims take turns on ("ragjob" in ASCII).</summary>
    private const long JobsLockKey = 0x7261_676a_6f62;

    private const string JobColumns = """
        SELECT j.id, j.kind, j.collection, j.state, j.stage, j.prune, j.idempotency_key, j.request_hash, j.error, j.created_at, j.updated_at, j.finished_at,
               c.total, c.done, c.added, c.updated, c.unchanged, c.deleted, c.failed
        FROM jobs j CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE action <> 'unchanged') AS total,
                   count(*) FILTER (WHERE action <> 'unchanged' AND status <> 'pending') AS done,
                   count(*) FILTER (WHERE status = 'done' AND action = 'add') AS added,
                   count(*) FILTER (WHERE status = 'done' AND action = 'update') AS updated,
                   count(*) FILTER (WHERE status = 'done' AND action = 'unchanged') AS unchanged,
                   count(*) FILTER (WHERE status = 'done' AND action = 'delete') AS deleted,
                   count(*) FILTER (WHERE status = 'failed') AS failed
            FROM job_items i WHERE i.job_id = j.id) c
        """;

    public Task<(JobRecord Job, bool Created)> CreateAsync(NewJob job, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            if (job.Admission is not null)
            {
                await AdmitAsync(connection, tx, job, ct);
            }

            var id = job.Id ?? "job_" + Guid.NewGuid().ToString("N");
            var now = DateTime.UtcNow;
            // ON CONFLICT: two replicas creating the same idempotency key at once store one job, and both return it.
            await using (var insert = PostgresDatabase.Command(connection, tx, """
                INSERT INTO jobs(id, kind, collection, state, stage, prune, idempotency_key, request_hash, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (collection, idempotency_key) DO NOTHING
                """, id, job.Kind, job.Collection, Name(JobState.Queued), Name(JobStage.Planned), job.Prune, job.IdempotencyKey, job.RequestHash, now))
            {
                if (await insert.ExecuteNonQueryAsync(ct) == 0)
                {
                    var existing = await ReadJobsAsync(connection, tx, " WHERE j.collection = $1 AND j.idempotency_key = $2", [job.Collection, job.IdempotencyKey], ct);
                    return (existing[0], false);
                }
            }

            await InsertItemsAsync(connection, tx, id, 0, job.Items, ct);
            await InsertFilesAsync(connection, tx, id, job.Files ?? [], ct);
            return ((await ReadJobsAsync(connection, tx, " WHERE j.id = $1", [id], ct))[0], true);
        }, ct);

    /// <summary>
    /// Refuses the job when the unfinished jobs of every replica are already at a bound; the advisory lock makes concurrent
    /// admissions take turns.
    /// </summary>
    private static async Task AdmitAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, NewJob job, CancellationToken ct)
    {
        await TakeJobsLockAsync(connection, tx, ct);
        await using var cmd = PostgresDatabase.Command(connection, tx, """
            SELECT (SELECT count(*) FROM jobs WHERE state IN ($1, $2)),
                   (SELECT coalesce(sum(f.bytes), 0)::bigint FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE j.state IN ($1, $2))
            """, Name(JobState.Queued), Name(JobState.Running));
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        job.Admission!.Check(job, reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task TakeJobsLockAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, CancellationToken ct)
    {
        await using var turn = PostgresDatabase.Command(connection, tx, $"SELECT pg_advisory_xact_lock({JobsLockKey})");
        await turn.ExecuteNonQueryAsync(ct);
    }

    private static async Task InsertFilesAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string id, IReadOnlyList<JobFile> files, CancellationToken ct)
    {
        foreach (var file in files)
        {
            var data = await file.ReadAsync(ct);
            await using var insert = PostgresDatabase.Command(connection, tx,
                "INSERT INTO job_files(job_id, sha256, bytes, content) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", id, file.Sha256, data.LongLength, data);
            await insert.ExecuteNonQueryAsync(ct);
        }
    }

    public async Task<byte[]?> ReadFileAsync(string id, string sha256, CancellationToken ct) =>
        await database.QueryFirstAsync("SELECT content FROM job_files WHERE job_id = $1 AND sha256 = $2", [id, sha256], r => r.GetFieldValue<byte[]>(0), ct);

    /// <summary>
    /// The jobs that may be leased now (see <see cref="IJobStore.ClaimNextAsync"/>), on the database's clock; $1 and $2
    /// are the unfinished states. Claims take the jobs' advisory lock first, so the collection test sees every earlier claim.
    /// </summary>
    private const string Claimable = """
        SELECT j.id FROM jobs j
        WHERE j.state IN ($1, $2) AND (j.lease_until IS NULL OR j.lease_until < clock_timestamp())
          AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.collection = j.collection AND o.id <> j.id AND o.state IN ($1, $2)
                          AND (o.lease_until >= clock_timestamp() OR (o.created_at, o.id) < (j.created_at, j.id)))
        """;

    public Task<string?> ClaimNextAsync(string owner, TimeSpan lease, CancellationToken ct) =>
        ClaimAsync(Claimable + " ORDER BY j.created_at, j.id LIMIT 1 FOR UPDATE OF j SKIP LOCKED", null, owner, lease, ct);

    public async Task<bool> TryClaimAsync(string id, string owner, TimeSpan lease, CancellationToken ct) =>
        await ClaimAsync(Claimable + " AND j.id = $5 FOR UPDATE OF j SKIP LOCKED", id, owner, lease, ct) is not null;

    private Task<string?> ClaimAsync(string claimable, string? id, string owner, TimeSpan lease, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await TakeJobsLockAsync(connection, tx, ct);

            await using var claim = PostgresDatabase.Command(connection, tx, $"""
                UPDATE jobs SET lease_owner = $3, lease_until = clock_timestamp() + $4, updated_at = clock_timestamp()
                WHERE id = ({claimable}) RETURNING id
                """, id is null ? [Name(JobState.Queued), Name(JobState.Running), owner, lease] : [Name(JobState.Queued), Name(JobState.Running), owner, lease, id]);
            return await claim.ExecuteScalarAsync(ct) as string;
        }, ct);

    public async Task<bool> RenewLeaseAsync(string id, string owner, TimeSpan lease, CancellationToken ct) =>
        await database.ExecuteAsync("UPDATE jobs SET lease_until = clock_timestamp() + $3 WHERE id = $1 AND lease_owner = $2 AND state IN ($4, $5)",
            [id, owner, lease, Name(JobState.Queued), Name(JobState.Running)], ct) == 1;

    public Task ReleaseAsync(string id, string owner, CancellationToken ct) =>
        database.ExecuteAsync("""
            UPDATE jobs SET state = $3, stage = $5, lease_owner = NULL, lease_until = NULL, updated_at = clock_timestamp()
            WHERE id = $1 AND lease_owner = $2 AND state IN ($3, $4)
            """, [id, owner, Name(JobState.Queued), Name(JobState.Running), Name(JobStage.Planned)], ct);

    public async Task<JobRecord?> GetAsync(string id, CancellationToken ct) =>
        await database.QueryFirstAsync(JobColumns + " WHERE j.id = $1", [id], ReadJob, ct);

    public Task<IReadOnlyList<JobRecord>> ListAsync(string? collection, int limit, CancellationToken ct) =>
        database.QueryAsync(JobColumns + " WHERE $1::text IS NULL OR j.collection = $1 ORDER BY j.created_at DESC LIMIT $2", [collection, limit], ReadJob, ct);

    public Task<IReadOnlyList<string>> ListUnfinishedAsync(CancellationToken ct) =>
        database.QueryAsync("SELECT id FROM jobs WHERE state IN ($1, $2) ORDER BY created_at", [Name(JobState.Queued), Name(JobState.Running)], r => r.GetString(0), ct);

    public Task<IReadOnlyList<JobItem>> GetItemsAsync(string id, CancellationToken ct) =>
        database.QueryAsync("SELECT ordinal, path, action, status, sha256, chunks, error, warnings FROM job_items WHERE job_id = $1 ORDER BY ordinal", [id], r => new JobItem(
            r.GetInt32(0),
            r.GetString(1),
            Enum.Parse<SyncAction>(r.GetString(2), ignoreCase: true),
            Enum.Parse<ItemStatus>(r.GetString(3), ignoreCase: true),
            r.IsDBNull(4) ? null : r.GetString(4),
            r.GetInt32(5),
            r.IsDBNull(6) ? null : r.GetString(6),
            r.IsDBNull(7) ? [] : r.GetFieldValue<string[]>(7)), ct);

    public async Task<byte[]?> ReadContentAsync(string id, int ordinal, CancellationToken ct) =>
        await database.QueryFirstAsync("SELECT content FROM job_items WHERE job_id = $1 AND ordinal = $2", [id, ordinal],
            r => r.IsDBNull(0) ? null : r.GetFieldValue<byte[]>(0), ct);

    public Task AddItemsAsync(string id, IReadOnlyList<NewJobItem> items, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            // The job's row lock orders concurrent appends, so their ordinals never collide.
            await using var next = PostgresDatabase.Command(connection, tx, """
                SELECT coalesce((SELECT max(ordinal) + 1 FROM job_items WHERE job_id = $1), 0) FROM (SELECT 1 FROM jobs WHERE id = $1 FOR UPDATE) locked
                """, id);
            var first = await next.ExecuteScalarAsync(ct) is int n ? n : 0;
            await InsertItemsAsync(connection, tx, id, first, items, ct);
            await TouchAsync(connection, tx, id, ct);
            return true;
        }, ct);

    public Task SetStateAsync(string id, JobState state, JobStage stage, CancellationToken ct) =>
        database.ExecuteAsync("UPDATE jobs SET state = $2, stage = $3, updated_at = $4 WHERE id = $1", [id, Name(state), Name(stage), DateTime.UtcNow], ct);

    public Task CompleteItemAsync(string id, int ordinal, ItemStatus status, SyncAction action, int chunks, string? error, IReadOnlyList<string> warnings,
        CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await using var cmd = PostgresDatabase.Command(connection, tx,
                "UPDATE job_items SET status = $3, action = $4, chunks = $5, error = $6, warnings = $7, content = NULL WHERE job_id = $1 AND ordinal = $2",
                id, ordinal, Name(status), Name(action), chunks, error, warnings.Count == 0 ? null : warnings.ToArray());
            await cmd.ExecuteNonQueryAsync(ct);
            await TouchAsync(connection, tx, id, ct);
            return true;
        }, ct);

    public Task<int> DeleteFinishedBeforeAsync(DateTimeOffset before, CancellationToken ct) =>
        database.ExecuteAsync("DELETE FROM jobs WHERE finished_at IS NOT NULL AND finished_at < $1", [before.UtcDateTime], ct);

    public Task FinishAsync(string id, JobState state, string? error, CancellationToken ct) =>
        database.InTransactionAsync(async (connection, tx) =>
        {
            await using var job = PostgresDatabase.Command(connection, tx,
                "UPDATE jobs SET state = $2, stage = $3, error = $4, updated_at = $5, finished_at = $5, lease_owner = NULL, lease_until = NULL WHERE id = $1",
                id, Name(state), Name(JobStage.Done), error, DateTime.UtcNow);
            await job.ExecuteNonQueryAsync(ct);
            await using var files = PostgresDatabase.Command(connection, tx, "DELETE FROM job_files WHERE job_id = $1", id);
            await files.ExecuteNonQueryAsync(ct);
            await using var items = PostgresDatabase.Command(connection, tx, "UPDATE job_items SET content = NULL WHERE job_id = $1 AND content IS NOT NULL", id);
            await items.ExecuteNonQueryAsync(ct);
            return true;
        }, ct);

    /// <summary>The items in one statement: each column as an array, unnested row by row.</summary>
    private static async Task InsertItemsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string id, int firstOrdinal, IReadOnlyList<NewJobItem> items, CancellationToken ct)
    {
        if (items.Count == 0)
        {
            return;
        }

        await using var insert = PostgresDatabase.Command(connection, tx, """
            INSERT INTO job_items(job_id, ordinal, path, action, status, sha256, error, content)
            SELECT $1, o, p, a, s, h, e, b FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bytea[]) AS x(o, p, a, s, h, e, b)
            """,
            id,
            Enumerable.Range(firstOrdinal, items.Count).ToArray(),
            items.Select(i => i.Path).ToArray(),
            items.Select(i => Name(i.Action)).ToArray(),
            items.Select(i => Name(i.Status)).ToArray(),
            items.Select(i => i.Sha256).ToArray(),
            items.Select(i => i.Error).ToArray(),
            items.Select(i => i.Content).ToArray());
        await insert.ExecuteNonQueryAsync(ct);
    }

    private static async Task<IReadOnlyList<JobRecord>> ReadJobsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string where, object?[] parameters, CancellationToken ct)
    {
        await using var cmd = PostgresDatabase.Command(connection, tx, JobColumns + where, parameters);
        var jobs = new List<JobRecord>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            jobs.Add(ReadJob(reader));
        }

        return jobs;
    }

    private static async Task TouchAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, string id, CancellationToken ct)
    {
        await using var cmd = PostgresDatabase.Command(connection, tx, "UPDATE jobs SET updated_at = $2 WHERE id = $1", id, DateTime.UtcNow);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static JobRecord ReadJob(NpgsqlDataReader r) => new(
        r.GetString(0),
        r.GetString(1),
        r.GetString(2),
        Enum.Parse<JobState>(r.GetString(3), ignoreCase: true),
        Enum.Parse<JobStage>(r.GetString(4), ignoreCase: true),
        r.GetBoolean(5),
        new JobCounts((int)r.GetInt64(12), (int)r.GetInt64(13), (int)r.GetInt64(14), (int)r.GetInt64(15), (int)r.GetInt64(16), (int)r.GetInt64(17), (int)r.GetInt64(18)),
        r.IsDBNull(8) ? null : r.GetString(8),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.GetString(7),
        r.GetFieldValue<DateTimeOffset>(9),
        r.GetFieldValue<DateTimeOffset>(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11));

    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
