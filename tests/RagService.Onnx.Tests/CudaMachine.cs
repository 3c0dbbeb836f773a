using System.Runtime.InteropServices;

namespace RagService.Onnx.Tests;

/// <summary>
/// What this machine really has for CUDA, found independently of the code under test: the NVIDIA driver library
/// loads and ONNX Runtime's CUDA provider library was deployed with the build (the Gpu package). Tests expecting the
/// CUDA path to work or to fail branch on this instead of assuming a CPU-only machine.
/// </summary>
internal static class CudaMachine
{
    public const string ProviderLibrary = "libonnxruntime_providers_cuda.so";

    public static bool Usable { get; } = DriverLoads() && ProviderLibraryDeployed();

    /// <summary>
    /// ORT's own reason when CUDA cannot be used: the CPU package has no CUDA provider at all; the Gpu package's
    /// loader names the provider library it could not load (and the CUDA library that library is missing).
    /// </summary>
    public static string ExpectedLoaderFailure => ProviderLibraryDeployed()
        ? $"{ProviderLibrary} with error"
        : "CUDA execution provider is not enabled in this build";

    private static bool DriverLoads()
    {
        if (!NativeLibrary.TryLoad("libcuda.so.1", out var handle))
        {
            return false;
        }

        NativeLibrary.Free(handle);
        return true;
    }

    private static bool ProviderLibraryDeployed() =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, ProviderLibrary))
        || File.Exists(Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", ProviderLibrary));
}
