using RagService.Onnx.Native;

namespace RagService.Onnx.Tests;

public sealed class LibraryResolverTests
{
    [Fact]
    public void Missing_library_error_names_setup_script_and_environment_variable()
    {
        var ex = Assert.Throws<OrtException>(() => OrtLibraryResolver.Load("/nonexistent/libonnxruntime.so.1"));
        Assert.Contains("deploy/setup.sh", ex.Message, StringComparison.Ordinal);
        Assert.Contains("RAG_ORT_LIB", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/libonnxruntime.so.1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_path_wins_over_everything_else()
    {
        var candidates = OrtLibraryResolver.Candidates("/opt/ort/libonnxruntime.so.1");
        Assert.Equal([("configured path", "/opt/ort/libonnxruntime.so.1")], candidates);
    }

    [Fact]
    public void Finds_the_setup_copy_by_walking_up_from_the_application_directory()
    {
        var root = Directory.CreateTempSubdirectory("ort-resolve-");
        try
        {
            Directory.CreateDirectory(Path.Combine(root.FullName, ".tools", "onnxruntime"));
            var lib = Path.Combine(root.FullName, ".tools", "onnxruntime", "libonnxruntime.so.1");
            File.WriteAllBytes(lib, []);
            var deep = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "app", "bin", "Release"));

            var candidates = OrtLibraryResolver.Candidates(null, deep.FullName);

            if (Environment.GetEnvironmentVariable("RAG_ORT_LIB") is { Length: > 0 } fromEnv)
            {
                Assert.Equal([("RAG_ORT_LIB", fromEnv)], candidates);
            }
            else
            {
                Assert.Equal([("deploy/setup.sh copy", lib), ("system library search", "libonnxruntime.so.1")], candidates);
            }
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
