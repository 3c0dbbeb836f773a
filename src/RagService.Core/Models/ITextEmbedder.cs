namespace RagService.Core.Models;

/// <summary>Whether a text is a question or a stored passage: models such as bge-zh and e5 prefix them differently.</summary>
public enum EmbeddingPurpose
{
    Query,
    Passage,
}

/// <summary>Turns texts into L2-normalised dense vectors.</summary>
public interface ITextEmbedder
{
    /// <summary>Identifies the model (directory name or configured id); stored with vectors so a model change is detected.</summary>
    string ModelId { get; }

    /// <summary>Vector length, read from the model.</summary>
    int Dimension { get; }

    /// <summary>Where the model runs, e.g. "cpu" or "cuda:0"; null when not applicable. Not part of the model identity.</summary>
    string? ExecutionProvider => null;

    /// <summary>Tokenizer coverage of the texts as passages (unknown tokens, truncation); null when the embedder cannot tell.</summary>
    ModelFit? MeasureFit(IReadOnlyList<string> texts) => null;

    /// <summary>Embeds texts; the result has one vector per input, in input order.</summary>
    Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken);
}
