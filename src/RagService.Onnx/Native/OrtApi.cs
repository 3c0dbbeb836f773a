using System.Runtime.InteropServices;
using System.Text;

namespace RagService.Onnx.Native;

/// <summary>
/// Typed calls into the ONNX Runtime C API function table (<c>OrtGetApiBase()->GetApi(version)</c>).
/// Every returned <c>OrtStatus*</c> goes through <see cref="Check"/>, which copies ORT's message before releasing it.
/// </summary>
internal sealed unsafe class OrtApi
{
    /// <summary>The header version whose table positions <see cref="OrtApiSlot"/> was counted against; ORT 1.29+ answers it.</summary>
    public const uint RequestedApiVersion = 29;

    public const int ElementTypeFloat = 1;
    public const int ElementTypeInt64 = 7;

    private readonly nint* _table;

    private OrtApi(nint* table, string version, string libraryPath)
    {
        _table = table;
        Version = version;
        LibraryPath = libraryPath;
    }

    /// <summary>ORT's version string, e.g. "1.30.0".</summary>
    public string Version { get; }

    /// <summary>The path the library was loaded from (a bare file name when the system loader found it).</summary>
    public string LibraryPath { get; }

    public static OrtApi Load(string? configuredLibraryPath)
    {
        var (library, libraryPath) = OrtLibraryResolver.Load(configuredLibraryPath);
        if (!NativeLibrary.TryGetExport(library, "OrtGetApiBase", out var getApiBaseExport))
        {
            throw new OrtException("The loaded ONNX Runtime library has no OrtGetApiBase export; it is not an ONNX Runtime build.");
        }

        var apiBase = ((delegate* unmanaged<nint*>)getApiBaseExport)();
        var getApi = (delegate* unmanaged<uint, nint*>)apiBase[0];
        var getVersion = (delegate* unmanaged<byte*>)apiBase[1];
        var version = Marshal.PtrToStringUTF8((nint)getVersion()) ?? "?";
        var table = getApi(RequestedApiVersion);
        if (table is null)
        {
            throw new OrtException(
                $"ONNX Runtime {version} does not provide C API version {RequestedApiVersion}; install 1.29 or newer (deploy/setup.sh installs 1.30.0).");
        }

        return new OrtApi(table, version, libraryPath);
    }

    private nint Fn(OrtApiSlot slot) => _table[(int)slot];

    // ---- status ----

    public void Check(nint status, string operation)
    {
        if (status != 0)
        {
            throw TakeError(status, operation);
        }
    }

    /// <summary>Turns a non-null status into an exception and releases the status.</summary>
    public OrtException TakeError(nint status, string operation)
    {
        try
        {
            var code = ((delegate* unmanaged<nint, int>)Fn(OrtApiSlot.GetErrorCode))(status);
            var message = Marshal.PtrToStringUTF8(((delegate* unmanaged<nint, nint>)Fn(OrtApiSlot.GetErrorMessage))(status)) ?? "";
            return new OrtException((OrtErrorCode)code, operation, message);
        }
        finally
        {
            ((delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseStatus))(status);
        }
    }

    /// <summary>Creates a status the way a failing ORT call would; used to verify the status slots.</summary>
    public nint CreateStatus(OrtErrorCode code, string message)
    {
        fixed (byte* text = Utf8(message))
        {
            return ((delegate* unmanaged<int, byte*, nint>)Fn(OrtApiSlot.CreateStatus))((int)code, text);
        }
    }

    // ---- release functions (used by SafeHandles and for per-call values) ----

    public delegate* unmanaged<nint, void> ReleaseEnvFn => (delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseEnv);
    public delegate* unmanaged<nint, void> ReleaseSessionFn => (delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseSession);
    public delegate* unmanaged<nint, void> ReleaseSessionOptionsFn => (delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseSessionOptions);
    public delegate* unmanaged<nint, void> ReleaseMemoryInfoFn => (delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseMemoryInfo);

    public void ReleaseValue(nint value)
    {
        if (value != 0)
        {
            ((delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseValue))(value);
        }
    }

    // ---- environment, options, providers ----

    public nint CreateEnv(int logSeverity, string logId)
    {
        nint env;
        fixed (byte* id = Utf8(logId))
        {
            Check(((delegate* unmanaged<int, byte*, nint*, nint>)Fn(OrtApiSlot.CreateEnv))(logSeverity, id, &env), "CreateEnv");
        }

        return env;
    }

    public nint CreateCpuMemoryInfo()
    {
        nint info;
        // OrtDeviceAllocator = 0, OrtMemTypeDefault = 0
        Check(((delegate* unmanaged<int, int, nint*, nint>)Fn(OrtApiSlot.CreateCpuMemoryInfo))(0, 0, &info), "CreateCpuMemoryInfo");
        return info;
    }

    public OrtHandle CreateOwnedSessionOptions() => new(CreateSessionOptions(), ReleaseSessionOptionsFn);

    /// <summary>Another reference to the process's environment (ORT keeps one and counts references).</summary>
    public OrtHandle CreateOwnedEnv(int logSeverity, string logId) => new(CreateEnv(logSeverity, logId), ReleaseEnvFn);

    private nint CreateSessionOptions()
    {
        nint options;
        Check(((delegate* unmanaged<nint*, nint>)Fn(OrtApiSlot.CreateSessionOptions))(&options), "CreateSessionOptions");
        return options;
    }

    public void SetIntraOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged<nint, int, nint>)Fn(OrtApiSlot.SetIntraOpNumThreads))(options, threads), "SetIntraOpNumThreads");

    public void SetInterOpNumThreads(nint options, int threads) =>
        Check(((delegate* unmanaged<nint, int, nint>)Fn(OrtApiSlot.SetInterOpNumThreads))(options, threads), "SetInterOpNumThreads");

    public void SetGraphOptimizationLevel(nint options, int level) =>
        Check(((delegate* unmanaged<nint, int, nint>)Fn(OrtApiSlot.SetSessionGraphOptimizationLevel))(options, level), "SetSessionGraphOptimizationLevel");

    /// <summary>ExecutionMode: 0 sequential, 1 parallel.</summary>
    public void SetExecutionMode(nint options, int mode) =>
        Check(((delegate* unmanaged<nint, int, nint>)Fn(OrtApiSlot.SetSessionExecutionMode))(options, mode), "SetSessionExecutionMode");

    /// <summary>A session config entry (keys as in onnxruntime_session_options_config_keys.h).</summary>
    public void AddSessionConfigEntry(nint options, string key, string value)
    {
        fixed (byte* k = Utf8(key))
        fixed (byte* v = Utf8(value))
        {
            Check(((delegate* unmanaged<nint, byte*, byte*, nint>)Fn(OrtApiSlot.AddSessionConfigEntry))(options, k, v), "AddSessionConfigEntry");
        }
    }

    public void AppendCudaProvider(nint options, int deviceId, ulong gpuMemoryLimitBytes)
    {
        var cuda = new OrtCudaProviderOptions
        {
            DeviceId = deviceId,
            CudnnConvAlgoSearch = 0,
            GpuMemoryLimit = gpuMemoryLimitBytes == 0 ? nuint.MaxValue : (nuint)gpuMemoryLimitBytes,
            DoCopyInDefaultStream = 1,
        };
        Check(((delegate* unmanaged<nint, OrtCudaProviderOptions*, nint>)Fn(OrtApiSlot.SessionOptionsAppendExecutionProviderCuda))(options, &cuda),
            "SessionOptionsAppendExecutionProvider_CUDA");
    }

    public string[] GetAvailableProviders()
    {
        byte** names;
        int count;
        Check(((delegate* unmanaged<byte***, int*, nint>)Fn(OrtApiSlot.GetAvailableProviders))(&names, &count), "GetAvailableProviders");
        try
        {
            var result = new string[count];
            for (var i = 0; i < count; i++)
            {
                result[i] = Marshal.PtrToStringUTF8((nint)names[i]) ?? "";
            }

            return result;
        }
        finally
        {
            Check(((delegate* unmanaged<byte**, int, nint>)Fn(OrtApiSlot.ReleaseAvailableProviders))(names, count), "ReleaseAvailableProviders");
        }
    }

    // ---- session ----

    public nint CreateSession(nint env, string modelPath, nint options)
    {
        nint session;
        fixed (byte* path = Utf8(modelPath))
        {
            Check(((delegate* unmanaged<nint, byte*, nint, nint*, nint>)Fn(OrtApiSlot.CreateSession))(env, path, options, &session), "CreateSession");
        }

        return session;
    }

    public int GetInputCount(nint session) => (int)GetCount(session, OrtApiSlot.SessionGetInputCount, "SessionGetInputCount");

    public int GetOutputCount(nint session) => (int)GetCount(session, OrtApiSlot.SessionGetOutputCount, "SessionGetOutputCount");

    private nuint GetCount(nint session, OrtApiSlot slot, string operation)
    {
        nuint count;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Fn(slot))(session, &count), operation);
        return count;
    }

    public string GetInputName(nint session, int index) => GetName(session, index, OrtApiSlot.SessionGetInputName, "SessionGetInputName");

    public string GetOutputName(nint session, int index) => GetName(session, index, OrtApiSlot.SessionGetOutputName, "SessionGetOutputName");

    private string GetName(nint session, int index, OrtApiSlot slot, string operation)
    {
        nint allocator;
        Check(((delegate* unmanaged<nint*, nint>)Fn(OrtApiSlot.GetAllocatorWithDefaultOptions))(&allocator), "GetAllocatorWithDefaultOptions");
        byte* name;
        Check(((delegate* unmanaged<nint, nuint, nint, byte**, nint>)Fn(slot))(session, (nuint)index, allocator, &name), operation);
        try
        {
            return Marshal.PtrToStringUTF8((nint)name) ?? "";
        }
        finally
        {
            Check(((delegate* unmanaged<nint, void*, nint>)Fn(OrtApiSlot.AllocatorFree))(allocator, name), "AllocatorFree");
        }
    }

    public TensorTypeInfo GetInputInfo(nint session, int index) => GetTypeInfo(session, index, OrtApiSlot.SessionGetInputTypeInfo, "SessionGetInputTypeInfo");

    public TensorTypeInfo GetOutputInfo(nint session, int index) => GetTypeInfo(session, index, OrtApiSlot.SessionGetOutputTypeInfo, "SessionGetOutputTypeInfo");

    private TensorTypeInfo GetTypeInfo(nint session, int index, OrtApiSlot slot, string operation)
    {
        nint typeInfo;
        Check(((delegate* unmanaged<nint, nuint, nint*, nint>)Fn(slot))(session, (nuint)index, &typeInfo), operation);
        try
        {
            nint tensorInfo;
            Check(((delegate* unmanaged<nint, nint*, nint>)Fn(OrtApiSlot.CastTypeInfoToTensorInfo))(typeInfo, &tensorInfo), "CastTypeInfoToTensorInfo");
            // Not a tensor (sequence, map): reported as element type 0 with no shape.
            return tensorInfo == 0 ? new TensorTypeInfo(0, []) : ReadTensorInfo(tensorInfo);
        }
        finally
        {
            ((delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseTypeInfo))(typeInfo);
        }
    }

    private TensorTypeInfo ReadTensorInfo(nint tensorInfo)
    {
        int elementType;
        Check(((delegate* unmanaged<nint, int*, nint>)Fn(OrtApiSlot.GetTensorElementType))(tensorInfo, &elementType), "GetTensorElementType");
        nuint rank;
        Check(((delegate* unmanaged<nint, nuint*, nint>)Fn(OrtApiSlot.GetDimensionsCount))(tensorInfo, &rank), "GetDimensionsCount");
        var dims = new long[(int)rank];
        fixed (long* d = dims)
        {
            Check(((delegate* unmanaged<nint, long*, nuint, nint>)Fn(OrtApiSlot.GetDimensions))(tensorInfo, d, rank), "GetDimensions");
        }

        return new TensorTypeInfo(elementType, dims);
    }

    // ---- values and run ----

    /// <summary>Wraps caller memory as a tensor without copying: the memory must stay pinned until the value is released.</summary>
    public nint CreateTensorOverMemory(nint memoryInfo, void* data, nuint byteLength, long* shape, nuint rank, int elementType)
    {
        nint value;
        Check(((delegate* unmanaged<nint, void*, nuint, long*, nuint, int, nint*, nint>)Fn(OrtApiSlot.CreateTensorWithDataAsOrtValue))(
            memoryInfo, data, byteLength, shape, rank, elementType, &value), "CreateTensorWithDataAsOrtValue");
        return value;
    }

    public void Run(nint session, byte** inputNames, nint* inputs, nuint inputCount, byte** outputNames, nuint outputCount, nint* outputs) =>
        Check(((delegate* unmanaged<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)Fn(OrtApiSlot.Run))(
            session, 0, inputNames, inputs, inputCount, outputNames, outputCount, outputs), "Run");

    public TensorTypeInfo GetValueInfo(nint value)
    {
        nint info;
        Check(((delegate* unmanaged<nint, nint*, nint>)Fn(OrtApiSlot.GetTensorTypeAndShape))(value, &info), "GetTensorTypeAndShape");
        try
        {
            return ReadTensorInfo(info);
        }
        finally
        {
            ((delegate* unmanaged<nint, void>)Fn(OrtApiSlot.ReleaseTensorTypeAndShapeInfo))(info);
        }
    }

    public void* GetTensorData(nint value)
    {
        void* data;
        Check(((delegate* unmanaged<nint, void**, nint>)Fn(OrtApiSlot.GetTensorMutableData))(value, &data), "GetTensorMutableData");
        return data;
    }

    /// <summary>Null-terminated UTF-8, as every char* of the C API expects.</summary>
    public static byte[] Utf8(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}

/// <summary>Element type (ONNXTensorElementDataType) and dimensions; -1 marks a dynamic dimension.</summary>
public sealed record TensorTypeInfo(int ElementType, long[] Dimensions);

/// <summary>The legacy OrtCUDAProviderOptions struct, field for field.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct OrtCudaProviderOptions
{
    public int DeviceId;
    public int CudnnConvAlgoSearch;
    public nuint GpuMemoryLimit;
    public int ArenaExtendStrategy;
    public int DoCopyInDefaultStream;
    public int HasUserComputeStream;
    public nint UserComputeStream;
    public nint DefaultMemoryArenaCfg;
    public int TunableOpEnable;
    public int TunableOpTuningEnable;
    public int TunableOpMaxTuningDurationMs;
}
