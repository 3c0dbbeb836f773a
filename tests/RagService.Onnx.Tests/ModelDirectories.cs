using Microsoft.Extensions.Logging;

namespace RagService.Onnx.Tests;

/// <summary>Temporary model directories laid out like a Hugging Face export, over the generated test models.</summary>
public sealed class TempModelDirectory : IDisposable
{
    public TempModelDirectory(string modelFile, string name = "test-model", string? pooling = null, bool tokenizerJson = false)
    {
        Path = System.IO.Path.Combine(TestModels.Directory, "dirs", Guid.NewGuid().ToString("N")[..8], name);
        Directory.CreateDirectory(Path);
        File.Copy(modelFile, System.IO.Path.Combine(Path, "model.onnx"));
        if (tokenizerJson)
        {
            File.WriteAllText(System.IO.Path.Combine(Path, "tokenizer.json"), TestVocabularies.WordPieceTokenizerJson());
        }
        else
        {
            File.WriteAllLines(System.IO.Path.Combine(Path, "vocab.txt"), TestVocabularies.WordPiece);
        }

        if (pooling is not null)
        {
            Directory.CreateDirectory(System.IO.Path.Combine(Path, "1_Pooling"));
            File.WriteAllText(System.IO.Path.Combine(Path, "1_Pooling", "config.json"),
                $$"""{"word_embedding_dimension": 12, "pooling_mode_cls_token": {{(pooling == "cls" ? "true" : "false")}}, "pooling_mode_mean_tokens": {{(pooling == "mean" ? "true" : "false")}}}""");
        }
    }

    public string Path { get; }

    public void Dispose() => Directory.Delete(System.IO.Path.GetDirectoryName(Path)!, recursive: true);
}

/// <summary>Collects log lines so tests can check warnings.</summary>
public sealed class ListLogger : ILogger
{
    public List<(LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
