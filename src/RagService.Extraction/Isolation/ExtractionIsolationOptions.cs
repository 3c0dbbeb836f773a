namespace RagService.Extraction.Isolation;

/// <summary>
/// Where extraction runs and the OS limits of the worker processes. Bound from the "Rag:Extraction" configuration
/// section; the per-format limits stay in <see cref="ExtractionOptions"/> ("Extraction").
/// </summary>
public sealed record ExtractionIsolationOptions
{
    public const string SectionName = "Rag:Extraction";

    /// <summary><c>Process</c> (default): every file is extracted in a worker process under the limits below; <c>InProcess</c>: in the service.</summary>
    public ExtractionIsolation Isolation { get; init; } = ExtractionIsolation.Process;

    /// <summary>Workers kept warm; at most this many files are extracted at once, further uploads wait their turn.</summary>
    public int PoolSize { get; init; } = Math.Clamp(Environment.ProcessorCount, 1, 4);

    /// <summary>
    /// Memory a worker may use (RLIMIT_DATA: heap and private writable mappings, what allocations actually use).
    /// Past it the worker's allocations fail and the file is refused with "ran out of its … memory limit".
    /// </summary>
    public long MemoryLimitBytes { get; init; } = 1L << 30;

    /// <summary>
    /// Address space a worker may reserve beyond <see cref="MemoryLimitBytes"/> (RLIMIT_AS = both together). The .NET
    /// runtime reserves gigabytes of address space that it never uses (code heap, GC bookkeeping), so the address-space
    /// bound is looser than the memory bound; it stops runaway reservations, not ordinary use.
    /// </summary>
    public long AddressSpaceHeadroomBytes { get; init; } = 6L << 30;

    /// <summary>CPU time one file may use in the worker (RLIMIT_CPU, reset before each file); past it the OS ends the worker.</summary>
    public TimeSpan CpuTimeLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Wall-clock bound for one file in the worker, starting the worker included; past it the worker is killed.</summary>
    public TimeSpan WallTimeout { get; init; } = TimeSpan.FromMinutes(11);

    /// <summary>The worker's answer (the extracted blocks, UTF-8 text with a few bytes per block) may be at most this many bytes; more → TooLarge.</summary>
    public long MaxOutputBytes { get; init; } = 96L << 20;

    /// <summary>
    /// A worker is retired after this many files, so that memory a parser leaked does not pile up. A replacement costs
    /// about 0.7 s of CPU (start and warm-up): under 1 ms a file at this count, against 3.5 ms at 200, where it took
    /// several per cent of a sync job of short documents.
    /// </summary>
    public int MaxFilesPerWorker { get; init; } = 1000;

    /// <summary>
    /// Bound each worker's memory with cgroup v2 <c>memory.max</c> (a child cgroup per worker under
    /// <see cref="CgroupParent"/>) instead of RLIMIT_DATA, where such a cgroup can be created; otherwise RLIMIT_DATA as
    /// before (<see cref="MemoryLimitMechanism.Choose"/> says which and why). Counts what the worker and the tools it
    /// starts really use, page cache included, and past it the kernel ends the worker.
    /// </summary>
    public bool CgroupMemoryLimit { get; init; }

    /// <summary>The delegated cgroup v2 directory (e.g. /sys/fs/cgroup/rag.slice/workers) for the workers' cgroups; null = the service's own cgroup.</summary>
    public string? CgroupParent { get; init; }

    /// <summary>
    /// A fresh worker first extracts a few built-in documents (a one-page PDF, Markdown, HTML, text), so that the parsers
    /// are compiled before the first upload reaches it. Costs about a second of CPU per started worker.
    /// </summary>
    public bool WarmUpWorkers { get; init; } = true;

    /// <summary>The worker's entry assembly; null = RagService.Extraction.Worker.dll beside this assembly.</summary>
    public string? WorkerPath { get; init; }

    /// <summary>The dotnet host that runs the worker; null = the host of the running runtime, else dotnet on PATH.</summary>
    public string? DotnetPath { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting that is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Isolation))
        {
            throw new ArgumentException($"{SectionName}:{nameof(Isolation)} must be Process or InProcess.");
        }

        Positive(nameof(PoolSize), PoolSize);
        Positive(nameof(MemoryLimitBytes), MemoryLimitBytes);
        Positive(nameof(AddressSpaceHeadroomBytes), AddressSpaceHeadroomBytes);
        Positive(nameof(MaxOutputBytes), MaxOutputBytes);
        Positive(nameof(MaxFilesPerWorker), MaxFilesPerWorker);
        if (CpuTimeLimit < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException($"{SectionName}:{nameof(CpuTimeLimit)} must be at least one second, not {CpuTimeLimit}.");
        }

        if (WallTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{SectionName}:{nameof(WallTimeout)} must be positive, not {WallTimeout}.");
        }

        if (CgroupParent is { } parent && !Path.IsPathFullyQualified(parent))
        {
            throw new ArgumentException($"{SectionName}:{nameof(CgroupParent)} must be an absolute path such as /sys/fs/cgroup/rag.slice/workers, not '{parent}'.");
        }

        if (MemoryLimitBytes < 128L << 20)
        {
            throw new ArgumentException($"{SectionName}:{nameof(MemoryLimitBytes)} must be at least 128 MiB (the runtime alone needs about 60 MiB), not {MemoryLimitBytes}.");
        }
    }

    private static void Positive(string name, long value)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"{SectionName}:{name} must be positive, not {value}.");
        }
    }
}

/// <summary>Where documents are extracted.</summary>
public enum ExtractionIsolation
{
    /// <summary>In a worker process under OS limits; a file that crashes or exhausts the worker is refused, the service carries on.</summary>
    Process,

    /// <summary>In the service process (faster to start, but a stack overflow in a parser ends the service).</summary>
    InProcess,
}
