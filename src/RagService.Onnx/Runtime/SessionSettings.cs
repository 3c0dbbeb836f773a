namespace RagService.Onnx.Runtime;

/// <summary>Where a session runs.</summary>
public enum ExecutionProviderKind
{
    Cpu,
    Cuda,
    /// <summary>CUDA when it can be added, otherwise CPU with a warning.</summary>
    Auto,
}

/// <summary>ORT GraphOptimizationLevel values.</summary>
public enum GraphOptimization
{
    Disabled = 0,
    Basic = 1,
    Extended = 2,
    All = 99,
}

/// <summary>How an <see cref="OnnxSession"/> is created.</summary>
public sealed record SessionSettings
{
    /// <summary>Threads inside one operator; 0 lets ORT choose (one per core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads across operators; only used with <see cref="ParallelExecution"/>.</summary>
    public int InterOpThreads { get; init; } = 1;

    /// <summary>Run independent graph branches in parallel; transformer encoders are a chain, so off by default.</summary>
    public bool ParallelExecution { get; init; }

    public GraphOptimization Optimization { get; init; } = GraphOptimization.All;

    /// <summary>ORT session config entries, e.g. "session.intra_op.allow_spinning" = "0" on a busy shared host.</summary>
    public IReadOnlyDictionary<string, string> ConfigEntries { get; init; } = new Dictionary<string, string>();

    public ExecutionProviderKind ExecutionProvider { get; init; } = ExecutionProviderKind.Cpu;

    public int CudaDeviceId { get; init; }

    /// <summary>CUDA arena limit in bytes; 0 means no limit.</summary>
    public ulong GpuMemoryLimitBytes { get; init; }

    public static ExecutionProviderKind ParseProvider(string? value) => (value ?? "cpu").Trim().ToLowerInvariant() switch
    {
        "" or "cpu" => ExecutionProviderKind.Cpu,
        "cuda" or "gpu" => ExecutionProviderKind.Cuda,
        "auto" => ExecutionProviderKind.Auto,
        _ => throw new ArgumentException($"Unknown execution provider '{value}'; use cpu, cuda or auto."),
    };
}
