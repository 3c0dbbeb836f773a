namespace RagService.Core.Lexical;

/// <summary>BM25 constants and the weight of the contextual-header field relative to the body.</summary>
public sealed record Bm25Parameters
{
    public double K1 { get; init; } = 1.2;
    public double B { get; init; } = 0.75;
    public double HeaderWeight { get; init; } = 4.0;

    public void Validate()
    {
        if (K1 < 0 || B is < 0 or > 1 || HeaderWeight < 0 || double.IsNaN(K1 + B + HeaderWeight))
        {
            throw new ArgumentException($"BM25 needs k1 >= 0, 0 <= b <= 1 and a header weight >= 0 (Rag:HeaderWeight); got k1={K1}, b={B}, header weight={HeaderWeight}");
        }
    }
}
