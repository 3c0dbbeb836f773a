namespace RagService.Onnx.Tests;

/// <summary>The real all-MiniLM-L6-v2 that deploy/setup.sh extracts into &lt;repo&gt;/.models (./test.sh runs it first).</summary>
internal static class RealMiniLm
{
    public static string Directory => AboveTests.Find(Path.Combine(".models", "all-MiniLM-L6-v2"), "model.onnx")
        ?? throw new InvalidOperationException(".models/all-MiniLM-L6-v2 is missing: run deploy/setup.sh (./test.sh does) first.");
}

/// <summary>../shared/data beside the repository (the QA trial files).</summary>
internal static class SharedData
{
    public static string Directory => AboveTests.Find(Path.Combine("shared", "data"), "squad_v1.1_dev_trial.json")
        ?? throw new InvalidOperationException("shared/data/squad_v1.1_dev_trial.json not found above the test directory.");
}

internal static class AboveTests
{
    /// <summary>The first <paramref name="relativeDirectory"/> holding <paramref name="file"/> upwards from the test binaries.</summary>
    public static string? Find(string relativeDirectory, string file)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relativeDirectory);
            if (File.Exists(Path.Combine(candidate, file)))
            {
                return candidate;
            }
        }

        return null;
    }
}
