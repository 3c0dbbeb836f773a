namespace RagService.Api.Jobs;

/// <summary>
/// The files of queued and running sync jobs, on disk next to the database (&lt;database&gt;.spool/&lt;job id&gt;/&lt;sha256&gt;),
/// so neither memory nor the job table holds them. A job's folder is deleted when the job finishes; at start-up,
/// folders of jobs that are no longer unfinished (or were never created) are removed.
/// </summary>
internal sealed class JobContentSpool(string root)
{
    public string Root { get; } = root;

    /// <summary>Creates the (empty) folder a new job's files are written to.</summary>
    public string Create(string jobId)
    {
        var folder = FolderOf(jobId);
        Directory.CreateDirectory(folder);
        return folder;
    }

    public async Task<byte[]?> ReadAsync(string jobId, string sha256, CancellationToken ct)
    {
        var file = Path.Combine(FolderOf(jobId), sha256);
        return File.Exists(file) ? await File.ReadAllBytesAsync(file, ct) : null;
    }

    /// <summary>The job's per-path access lists from the manifest, beside its files (a name no SHA-256 can take), so a resumed job applies them too.</summary>
    private const string AccessFile = "access.json";

    /// <summary>Path → access list (null: none) for the paths whose manifest entry set one; writes nothing when there are none.</summary>
    public async Task WriteAccessAsync(string jobId, IReadOnlyDictionary<string, IReadOnlyList<string>?> access, CancellationToken ct)
    {
        if (access.Count > 0)
        {
            await File.WriteAllTextAsync(Path.Combine(FolderOf(jobId), AccessFile), System.Text.Json.JsonSerializer.Serialize(access), ct);
        }
    }

    /// <summary>What <see cref="WriteAccessAsync"/> stored; empty when the job set no access (or was queued by an older version).</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>?>> ReadAccessAsync(string jobId, CancellationToken ct)
    {
        var file = Path.Combine(FolderOf(jobId), AccessFile);
        return File.Exists(file)
            ? System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, IReadOnlyList<string>?>>(await File.ReadAllTextAsync(file, ct)) ?? []
            : new Dictionary<string, IReadOnlyList<string>?>();
    }

    public long Bytes(string jobId)
    {
        var folder = new DirectoryInfo(FolderOf(jobId));
        return folder.Exists ? folder.EnumerateFiles().Sum(f => f.Length) : 0;
    }

    public void Delete(string jobId)
    {
        try
        {
            Directory.Delete(FolderOf(jobId), recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    /// <summary>
    /// Removes every folder left by an earlier process but those of <paramref name="unfinishedJobIds"/>; folders created
    /// by this process (a request already being accepted) are left alone.
    /// </summary>
    public void KeepOnly(IReadOnlyCollection<string> unfinishedJobIds)
    {
        var processStart = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        if (!Directory.Exists(Root))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(Root))
        {
            if (!unfinishedJobIds.Contains(Path.GetFileName(folder)) && Directory.GetCreationTimeUtc(folder) < processStart)
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    private string FolderOf(string jobId) =>
        jobId.Length > 0 && jobId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')
            ? Path.Combine(Root, jobId)
            : throw new ArgumentException("not a job id", nameof(jobId));
}
