namespace RagService.Core.Models;

/// <summary>
/// How well an embedding model's tokenizer covers a set of texts: unknown tokens (the model sees nothing of those
/// characters) and texts cut at the model's maximum sequence length (the model sees nothing of their tail).
/// </summary>
public sealed record ModelFit(int Texts, long Tokens, long UnknownTokens, int TruncatedTexts, int MaxSequenceLength)
{
    public static readonly ModelFit Empty = new(0, 0, 0, 0, 0);

    public double UnknownTokenRate => Tokens == 0 ? 0 : (double)UnknownTokens / Tokens;

    public double TruncationRate => Texts == 0 ? 0 : (double)TruncatedTexts / Texts;

    public ModelFit Add(ModelFit other) =>
        new(Texts + other.Texts, Tokens + other.Tokens, UnknownTokens + other.UnknownTokens, TruncatedTexts + other.TruncatedTexts,
            Math.Max(MaxSequenceLength, other.MaxSequenceLength));
}

/// <summary>Named limits above which a collection's text is reported as a poor fit for the embedding model.</summary>
public sealed record ModelFitThresholds
{
    /// <summary>
    /// Above this share of [UNK] tokens the model cannot represent the text (the Chinese case: 69 %). 0.05: one word in twenty unseen.
    /// </summary>
    public double MaxUnknownTokenRate { get; init; } = 0.05;

    /// <summary>Above this share of chunks cut at the model's sequence length, their tails are invisible to dense retrieval.</summary>
    public double MaxTruncationRate { get; init; } = 0.05;

    public void Validate()
    {
        if (MaxUnknownTokenRate is < 0 or > 1 || MaxTruncationRate is < 0 or > 1)
        {
            throw new ArgumentException($"Rag:Retrieval:ModelFit rates must be between 0 and 1; got {this}");
        }
    }

    /// <summary>Warnings for a fit, empty when it is within both limits.</summary>
    public IReadOnlyList<string> Warnings(ModelFit fit, string modelId)
    {
        var warnings = new List<string>();
        if (fit.UnknownTokenRate > MaxUnknownTokenRate)
        {
            warnings.Add(FormattableString.Invariant(
                $"{fit.UnknownTokenRate:P1} of the tokens are unknown to {modelId} (limit {MaxUnknownTokenRate:P0}): the model cannot represent this text, dense retrieval will be weak"));
        }

        if (fit.TruncationRate > MaxTruncationRate)
        {
            warnings.Add(FormattableString.Invariant(
                $"{fit.TruncationRate:P1} of the chunks are longer than {modelId}'s {fit.MaxSequenceLength} tokens (limit {MaxTruncationRate:P0}): their tails are not embedded; use smaller chunks"));
        }

        return warnings;
    }
}
