namespace RagService.Onnx.Tokenization;

/// <summary>A sub-word model plus the special-token template, with truncation to the model's maximum length.</summary>
internal sealed class Tokenizer(ISubwordModel model, EncodingTemplate template, int padId) : ITokenizer
{
    public int PadId => padId;

    public TokenizedText Encode(string text, int maxLength)
    {
        var ids = Tokenize(text);
        var budget = Math.Max(0, maxLength - template.SpecialCount(pair: false));
        if (ids.Count > budget)
        {
            ids.RemoveRange(budget, ids.Count - budget);
        }

        return template.Apply(ids, null);
    }

    public (int Tokens, int Unknown) Count(string text)
    {
        var ids = Tokenize(text);
        return (ids.Count, ids.Count(id => id == model.UnknownId));
    }

    public TokenizedText EncodePair(string first, string second, int maxLength)
    {
        var a = Tokenize(first);
        var b = Tokenize(second);
        var budget = Math.Max(0, maxLength - template.SpecialCount(pair: true));
        // "longest_first": drop the last token of the longer side until both fit (the second side on a tie).
        while (a.Count + b.Count > budget)
        {
            var longer = a.Count > b.Count ? a : b;
            longer.RemoveAt(longer.Count - 1);
        }

        return template.Apply(a, b);
    }

    private List<int> Tokenize(string text)
    {
        var ids = new List<int>();
        model.AppendIds(text, ids);
        return ids;
    }
}
