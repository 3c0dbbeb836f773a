using RagService.Onnx.Native;

namespace RagService.Onnx.Runtime;

/// <summary>
/// The process-wide ONNX Runtime: the loaded library, one <c>OrtEnv</c> and one CPU memory description.
/// ORT allows a single environment per process, so this lives as long as the process.
/// </summary>
public sealed unsafe class OrtRuntime
{
    private static readonly Lock s_gate = new();
    private static OrtRuntime? s_instance;

    private OrtRuntime(OrtApi api)
    {
        Api = api;
        // ORT_LOGGING_LEVEL_ERROR: warnings about e.g. unused initializers would flood the service log.
        Env = api.CreateOwnedEnv(3, "ragservice");
        CpuMemory = new OrtHandle(api.CreateCpuMemoryInfo(), api.ReleaseMemoryInfoFn);
    }

    internal OrtApi Api { get; }

    internal OrtHandle Env { get; }

    internal OrtHandle CpuMemory { get; }

    /// <summary>ORT's version string, e.g. "1.30.0".</summary>
    public string Version => Api.Version;

    /// <summary>Where libonnxruntime.so.1 was loaded from.</summary>
    public string LibraryPath => Api.LibraryPath;

    /// <summary>
    /// Loads ONNX Runtime on first use (configured path → RAG_ORT_LIB → deploy/setup.sh copy → system search).
    /// Later calls return the same runtime; a different configured path is then ignored (one library per process).
    /// </summary>
    public static OrtRuntime Get(string? configuredLibraryPath = null)
    {
        lock (s_gate)
        {
            return s_instance ??= new OrtRuntime(OrtApi.Load(configuredLibraryPath));
        }
    }

    /// <summary>Execution providers compiled into the loaded library, e.g. "CPUExecutionProvider".</summary>
    public IReadOnlyList<string> AvailableProviders => Api.GetAvailableProviders();
}
