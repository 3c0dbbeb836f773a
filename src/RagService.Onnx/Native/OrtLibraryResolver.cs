using System.Runtime.InteropServices;

namespace RagService.Onnx.Native;

/// <summary>
/// Finds libonnxruntime.so.1: an explicit path, then <c>RAG_ORT_LIB</c>, then the copy that deploy/setup.sh installs
/// under &lt;repo&gt;/.tools/onnxruntime/ (searched upwards from the application directory), then the loader's default search.
/// </summary>
public static class OrtLibraryResolver
{
    public const string EnvironmentVariable = "RAG_ORT_LIB";
    public const string LibraryFileName = "libonnxruntime.so.1";
    private const string InstalledRelativePath = ".tools/onnxruntime/" + LibraryFileName;

    /// <summary>The candidates in the order they are tried, with where each came from.</summary>
    public static IReadOnlyList<(string Source, string Path)> Candidates(string? configuredPath, string? baseDirectory = null)
    {
        var list = new List<(string, string)>();
        if (!string.IsNullOrWhiteSpace(configuredPath))
        {
            list.Add(("configured path", configuredPath));
            return list;
        }

        var fromEnv = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnv))
        {
            list.Add((EnvironmentVariable, fromEnv));
            return list;
        }

        var installed = FindInstalledCopy(baseDirectory ?? AppContext.BaseDirectory);
        if (installed is not null)
        {
            list.Add(("deploy/setup.sh copy", installed));
        }

        list.Add(("system library search", LibraryFileName));
        return list;
    }

    /// <summary>Loads the library; throws one <see cref="OrtException"/> naming the fix when no candidate loads.</summary>
    public static (nint Handle, string Path) Load(string? configuredPath, string? baseDirectory = null)
    {
        var tried = new List<string>();
        foreach (var (source, path) in Candidates(configuredPath, baseDirectory))
        {
            if (NativeLibrary.TryLoad(path, out var handle))
            {
                return (handle, path);
            }

            tried.Add($"{path} ({source})");
        }

        throw new OrtException(
            $"ONNX Runtime native library not found (tried: {string.Join(", ", tried)}). " +
            $"Run deploy/setup.sh to install {LibraryFileName} from the npm package onnxruntime-node@1.30.0, " +
            $"or set {EnvironmentVariable} (or the OrtLibraryPath setting) to the full path of a {LibraryFileName}.");
    }

    private static string? FindInstalledCopy(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, InstalledRelativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
