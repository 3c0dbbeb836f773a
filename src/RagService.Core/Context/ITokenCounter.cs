using RagService.Core.Models;

namespace RagService.Core.Context;

/// <summary>Measures text in the unit of the context budget.</summary>
public interface ITokenCounter
{
    /// <summary>How the counter measures, e.g. "all-MiniLM-L6-v2 tokenizer" or "characters / 4".</summary>
    string Name { get; }

    int Count(string text);
}

/// <summary>Characters / 4, rounded up: the rule of thumb for English when no tokenizer is at hand (Chinese needs about one token per character).</summary>
public sealed class CharacterTokenCounter : ITokenCounter
{
    public static readonly CharacterTokenCounter Instance = new();

    public string Name => "characters / 4";

    public int Count(string text) => (text.Length + 3) / 4;
}

/// <summary>The embedding model's tokenizer when a model is registered, else characters / 4: the counter the context budget uses.</summary>
public sealed class ModelTokenCounter(ITextEmbedder? embedder = null) : ITokenCounter
{
    private readonly ITokenCounter _counter = embedder is null ? CharacterTokenCounter.Instance : new EmbeddingTokenCounter(embedder);

    public string Name => _counter.Name;

    public int Count(string text) => _counter.Count(text);
}

/// <summary>
/// Sub-word tokens of the embedding model's tokenizer (<see cref="ITextEmbedder.MeasureFit"/>); characters / 4 when the embedder cannot tell.
/// </summary>
public sealed class EmbeddingTokenCounter(ITextEmbedder embedder) : ITokenCounter
{
    public string Name => $"{embedder.ModelId} tokenizer";

    public int Count(string text) =>
        embedder.MeasureFit([text]) is { } fit ? (int)fit.Tokens : CharacterTokenCounter.Instance.Count(text);
}
