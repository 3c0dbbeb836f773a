using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RagService.Onnx.Runtime;

/// <summary>An int64 input tensor by name; <paramref name="Data"/> holds the product of <paramref name="Shape"/> elements.</summary>
public readonly record struct TensorInput(string Name, long[] Data, long[] Shape);

/// <summary>A float output tensor copied out of ONNX Runtime.</summary>
public sealed record FloatTensor(float[] Data, long[] Shape);

/// <summary>
/// One ONNX Runtime <see cref="InferenceSession"/> over a model file, with the execution provider it really runs on.
/// <see cref="Run"/> may be called from many threads at once (ORT's Run is thread-safe; inputs are OrtValues over the
/// callers' pinned arrays, so nothing is copied in).
/// </summary>
public sealed class OnnxSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private bool _disposed;

    private OnnxSession(InferenceSession session, string provider, string? providerWarning)
    {
        _session = session;
        ExecutionProvider = provider;
        ProviderWarning = providerWarning;
        InputNames = [.. session.InputNames];
        OutputNames = [.. session.OutputNames];
        Inputs = session.InputMetadata.ToDictionary(p => p.Key, p => p.Value.Dimensions.Select(d => (long)d).ToArray());
        Outputs = session.OutputMetadata.ToDictionary(p => p.Key, p => p.Value.Dimensions.Select(d => (long)d).ToArray());
        OutputTypes = session.OutputMetadata.ToDictionary(p => p.Key, p => p.Value.ElementDataType);
    }

    public IReadOnlyList<string> InputNames { get; }

    public IReadOnlyList<string> OutputNames { get; }

    /// <summary>Declared dimensions per input; -1 for a symbolic (dynamic) dimension.</summary>
    public IReadOnlyDictionary<string, long[]> Inputs { get; }

    /// <summary>Declared dimensions per output; -1 for a symbolic (dynamic) dimension.</summary>
    public IReadOnlyDictionary<string, long[]> Outputs { get; }

    public IReadOnlyDictionary<string, TensorElementType> OutputTypes { get; }

    /// <summary>"cpu" or "cuda:N": where the session really runs.</summary>
    public string ExecutionProvider { get; }

    /// <summary>Set when <see cref="ExecutionProviderKind.Auto"/> fell back to CPU: ORT's reason, naming the library it could not load.</summary>
    public string? ProviderWarning { get; }

    /// <summary>
    /// Opens a model file. Throws <see cref="OnnxRuntimeException"/> with ORT's message for a corrupt model or an
    /// unavailable CUDA provider; with <see cref="ExecutionProviderKind.Auto"/> a CUDA failure falls back to CPU and is
    /// reported in <see cref="ProviderWarning"/>.
    /// </summary>
    public static OnnxSession Open(string modelPath, SessionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!File.Exists(modelPath))
        {
            throw new FileNotFoundException($"ONNX model file not found: {modelPath}", modelPath);
        }

        if (settings.ExecutionProvider != ExecutionProviderKind.Auto)
        {
            return OpenWith(modelPath, settings, settings.ExecutionProvider == ExecutionProviderKind.Cuda, warning: null);
        }

        try
        {
            return OpenWith(modelPath, settings, useCuda: true, warning: null);
        }
        catch (OnnxRuntimeException ex)
        {
            return OpenWith(modelPath, settings, useCuda: false, $"CUDA execution provider unavailable, using CPU: {ex.Message}");
        }
    }

    private static OnnxSession OpenWith(string modelPath, SessionSettings settings, bool useCuda, string? warning)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = settings.IntraOpThreads,
            InterOpNumThreads = settings.InterOpThreads,
            ExecutionMode = settings.ParallelExecution ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = (GraphOptimizationLevel)(int)settings.Optimization,
            // Warnings about e.g. unused initializers would flood the service log.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        foreach (var (key, value) in settings.ConfigEntries)
        {
            options.AddSessionConfigEntry(key, value);
        }

        if (useCuda)
        {
            using var cuda = new OrtCUDAProviderOptions();
            var cudaOptions = new Dictionary<string, string> { ["device_id"] = settings.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            if (settings.GpuMemoryLimitBytes > 0)
            {
                cudaOptions["gpu_mem_limit"] = settings.GpuMemoryLimitBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            cuda.UpdateOptions(cudaOptions);
            options.AppendExecutionProvider_CUDA(cuda);
        }

        var session = new InferenceSession(modelPath, options);
        return new OnnxSession(session, useCuda ? $"cuda:{settings.CudaDeviceId}" : "cpu", warning);
    }

    /// <summary>Runs the model on int64 inputs and returns one float output.</summary>
    public FloatTensor Run(ReadOnlySpan<TensorInput> inputs, string outputName)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!Outputs.ContainsKey(outputName))
        {
            throw new ArgumentException($"The model has no output named '{outputName}'; its outputs are: {string.Join(", ", OutputNames)}.");
        }

        var names = new string[inputs.Length];
        var values = new OrtValue[inputs.Length];
        try
        {
            for (var i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                CheckInput(input);
                names[i] = input.Name;
                values[i] = OrtValue.CreateTensorValueFromMemory(input.Data, input.Shape);
            }

            using var results = _session.Run(_runOptions, names, values, [outputName]);
            var output = results[0];
            var info = output.GetTensorTypeAndShape();
            if (info.ElementDataType != TensorElementType.Float)
            {
                throw new InvalidDataException($"Model output '{outputName}' has element type {info.ElementDataType}; a float32 output is expected.");
            }

            return new FloatTensor(output.GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }
        finally
        {
            foreach (var value in values)
            {
                value?.Dispose();
            }
        }
    }

    private void CheckInput(in TensorInput input)
    {
        if (!Inputs.ContainsKey(input.Name))
        {
            throw new ArgumentException($"The model has no input named '{input.Name}'; its inputs are: {string.Join(", ", InputNames)}.");
        }

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

    /// <summary>Owners dispose at shutdown, after the host has stopped sending work.</summary>
    public void Dispose()
    {
        _disposed = true;
        _session.Dispose();
        _runOptions.Dispose();
    }
}
