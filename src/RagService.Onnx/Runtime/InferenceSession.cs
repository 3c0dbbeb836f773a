using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RagService.Onnx.Native;

namespace RagService.Onnx.Runtime;

/// <summary>An int64 input tensor by name; <paramref name="Data"/> holds the product of <paramref name="Shape"/> elements.</summary>
public readonly record struct TensorInput(string Name, long[] Data, long[] Shape);

/// <summary>A float output tensor copied out of ORT.</summary>
public sealed record FloatTensor(float[] Data, long[] Shape);

/// <summary>
/// One ORT session over a model file. <see cref="Run"/> may be called from many threads at once (ORT's Run is
/// thread-safe and this type keeps no per-call state); disposal waits for runs in flight through SafeHandle ref-counting.
/// </summary>
public sealed unsafe class InferenceSession : IDisposable
{
    private readonly OrtRuntime _runtime;
    private readonly OrtHandle _session;
    // Names handed to Run as char*: UTF-8 in arrays pinned on the pinned-object heap, so they stay valid without frees.
    private readonly Dictionary<string, byte[]> _nativeInputNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _nativeOutputNames = new(StringComparer.Ordinal);

    private InferenceSession(OrtRuntime runtime, OrtHandle session, string providerDescription, string? providerWarning)
    {
        _runtime = runtime;
        _session = session;
        ExecutionProvider = providerDescription;
        ProviderWarning = providerWarning;
        var api = runtime.Api;
        var raw = session.DangerousGetHandle();
        InputNames = Enumerable.Range(0, api.GetInputCount(raw)).Select(i => api.GetInputName(raw, i)).ToArray();
        OutputNames = Enumerable.Range(0, api.GetOutputCount(raw)).Select(i => api.GetOutputName(raw, i)).ToArray();
        Inputs = InputNames.Select((n, i) => (n, api.GetInputInfo(raw, i))).ToDictionary(p => p.n, p => p.Item2);
        Outputs = OutputNames.Select((n, i) => (n, api.GetOutputInfo(raw, i))).ToDictionary(p => p.n, p => p.Item2);
        foreach (var name in InputNames)
        {
            _nativeInputNames[name] = PinnedUtf8(name);
        }

        foreach (var name in OutputNames)
        {
            _nativeOutputNames[name] = PinnedUtf8(name);
        }
    }

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<string> OutputNames { get; }

    public IReadOnlyDictionary<string, TensorTypeInfo> Inputs { get; }

    public IReadOnlyDictionary<string, TensorTypeInfo> Outputs { get; }

    /// <summary>"cpu" or "cuda:N".</summary>
    public string ExecutionProvider { get; }

    /// <summary>Set when <see cref="ExecutionProviderKind.Auto"/> fell back to CPU: why CUDA could not be used.</summary>
    public string? ProviderWarning { get; }

    /// <summary>
    /// Opens a model file. Throws <see cref="OrtException"/> with ORT's message for a corrupt model or an unavailable
    /// CUDA provider; with <see cref="ExecutionProviderKind.Auto"/> a CUDA failure (adding the provider or creating the
    /// session on it) falls back to CPU and is reported in <see cref="ProviderWarning"/>.
    /// </summary>
    public static InferenceSession Open(string modelPath, SessionSettings settings, OrtRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model file not found: {modelPath}", modelPath);
        }

        runtime ??= OrtRuntime.Get();
        if (settings.ExecutionProvider != ExecutionProviderKind.Auto)
        {
            return OpenWith(runtime, modelPath, settings, settings.ExecutionProvider == ExecutionProviderKind.Cuda, warning: null);
        }

        try
        {
            return OpenWith(runtime, modelPath, settings, useCuda: true, warning: null);
        }
        catch (OrtException ex)
        {
            return OpenWith(runtime, modelPath, settings, useCuda: false, $"CUDA execution provider unavailable, using CPU: {ex.OrtMessage}");
        }
    }

    private static InferenceSession OpenWith(OrtRuntime runtime, string modelPath, SessionSettings settings, bool useCuda, string? warning)
    {
        var api = runtime.Api;
        using var options = api.CreateOwnedSessionOptions();
        var raw = options.DangerousGetHandle();
        api.SetIntraOpNumThreads(raw, settings.IntraOpThreads);
        api.SetInterOpNumThreads(raw, settings.InterOpThreads);
        api.SetExecutionMode(raw, settings.ParallelExecution ? 1 : 0);
        api.SetGraphOptimizationLevel(raw, (int)settings.Optimization);
        foreach (var (key, value) in settings.ConfigEntries)
        {
            api.AddSessionConfigEntry(raw, key, value);
        }

        if (useCuda)
        {
            api.AppendCudaProvider(raw, settings.CudaDeviceId, settings.GpuMemoryLimitBytes);
        }

        var session = new OrtHandle(api.CreateSession(runtime.Env.DangerousGetHandle(), modelPath, raw), api.ReleaseSessionFn);
        try
        {
            return new InferenceSession(runtime, session, useCuda ? $"cuda:{settings.CudaDeviceId}" : "cpu", warning);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the model on int64 inputs and returns one float output.</summary>
    public FloatTensor Run(ReadOnlySpan<TensorInput> inputs, string outputName)
    {
        var count = inputs.Length;
        var names = stackalloc nint[count];
        var values = stackalloc nint[count];
        var pins = stackalloc GCHandle[count];
        nint outputNative = NativeName(outputName, isInput: false);
        nint output = 0;
        var api = _runtime.Api;
        var memory = _runtime.CpuMemory.DangerousGetHandle();
        var addedRef = false;
        try
        {
            _session.DangerousAddRef(ref addedRef);
            for (var i = 0; i < count; i++)
            {
                var input = inputs[i];
                CheckShape(input);
                names[i] = NativeName(input.Name, isInput: true);
                pins[i] = GCHandle.Alloc(input.Data, GCHandleType.Pinned);
                fixed (long* shape = input.Shape)
                {
                    values[i] = api.CreateTensorOverMemory(memory, (void*)pins[i].AddrOfPinnedObject(),
                        (nuint)(input.Data.Length * sizeof(long)), shape, (nuint)input.Shape.Length, OrtApi.ElementTypeInt64);
                }
            }

            api.Run(_session.DangerousGetHandle(), (byte**)names, values, (nuint)count, (byte**)&outputNative, 1, &output);
            return ReadFloatTensor(api, output, outputName);
        }
        finally
        {
            api.ReleaseValue(output);
            for (var i = 0; i < count; i++)
            {
                api.ReleaseValue(values[i]);
                if (pins[i].IsAllocated)
                {
                    pins[i].Free();
                }
            }

            if (addedRef)
            {
                _session.DangerousRelease();
            }
        }
    }

    private static void CheckShape(in TensorInput input)
    {
        long elements = 1;
        foreach (var d in input.Shape)
        {
            elements *= d;
        }

        if (elements != input.Data.Length)
        {
            throw new ArgumentException(
                $"Input '{input.Name}' has {input.Data.Length} values but shape [{string.Join(", ", input.Shape)}] needs {elements}.");
        }
    }

    private nint NativeName(string name, bool isInput)
    {
        if (!(isInput ? _nativeInputNames : _nativeOutputNames).TryGetValue(name, out var utf8))
        {
            var kind = isInput ? "input" : "output";
            var known = isInput ? InputNames : OutputNames;
            throw new ArgumentException($"The model has no {kind} named '{name}'; its {kind}s are: {string.Join(", ", known)}.");
        }

        return (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(utf8));
    }

    private static byte[] PinnedUtf8(string text)
    {
        var bytes = OrtApi.Utf8(text);
        var pinned = GC.AllocateUninitializedArray<byte>(bytes.Length, pinned: true);
        bytes.CopyTo(pinned, 0);
        return pinned;
    }

    private static FloatTensor ReadFloatTensor(OrtApi api, nint value, string name)
    {
        var info = api.GetValueInfo(value);
        if (info.ElementType != OrtApi.ElementTypeFloat)
        {
            throw new OrtException($"Model output '{name}' has element type {info.ElementType}; a float32 output is expected.");
        }

        long elements = 1;
        foreach (var d in info.Dimensions)
        {
            elements *= d;
        }

        var data = new float[elements];
        new ReadOnlySpan<float>(api.GetTensorData(value), data.Length).CopyTo(data);
        return new FloatTensor(data, info.Dimensions);
    }

    /// <summary>Releases the ORT session once no <see cref="Run"/> is in flight; later runs throw ObjectDisposedException.</summary>
    public void Dispose() => _session.Dispose();
}
