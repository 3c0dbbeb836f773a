namespace RagService.Core.Lexical;

/// <summary>BM25 constants and the weight of the contextual-header field relative to the body.</summary>
public sealed record Bm25Parameters
{
    public double K1 { get; init; } = 1.2;
    public double B { get; init; } = 0.75;
    public double HeaderWeight { get; init; } = 4.0;
}
