using System.Text.Json;
using RagService.Core.Jobs;

namespace RagService.Api.Jobs;

/// <summary>
/// The access lists a sync manifest set per path (path → list; a null list clears it), stored with the job as one of its
/// files under a fixed name, so the replica that runs the job applies them. A job whose manifest set none stores nothing,
/// and reading such a job (or one queued by an older version) gives an empty map.
/// </summary>
internal static class JobAccessMap
{
    /// <summary>The key of the map among the job's files; never a SHA-256, so it cannot collide with a document's content.</summary>
    public const string FileKey = "access-map.json";

    public static JobFile? ToFile(IReadOnlyDictionary<string, IReadOnlyList<string>?> access)
    {
        if (access.Count == 0)
        {
            return null;
        }

        var bytes = JsonSerializer.SerializeToUtf8Bytes(access);
        return new JobFile(FileKey, bytes.LongLength, _ => Task.FromResult(bytes));
    }

    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<string>?>> ReadAsync(IJobStore jobs, string jobId, CancellationToken ct)
    {
        var bytes = await jobs.ReadFileAsync(jobId, FileKey, ct);
        return bytes is null
            ? new Dictionary<string, IReadOnlyList<string>?>()
            : JsonSerializer.Deserialize<Dictionary<string, IReadOnlyList<string>?>>(bytes) ?? [];
    }
}
