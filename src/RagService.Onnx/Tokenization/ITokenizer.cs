namespace RagService.Onnx.Tokenization;

/// <summary>Token ids with their token type ids (segment ids), special tokens included.</summary>
public sealed record TokenizedText(int[] Ids, int[] TypeIds)
{
    public int Length => Ids.Length;
}

/// <summary>Turns text into model input ids, with the model's special tokens and truncation to a maximum length.</summary>
public interface ITokenizer
{
    /// <summary>Id used to pad shorter sequences in a batch.</summary>
    int PadId { get; }

    /// <summary>Encodes one text: special tokens added, total length at most <paramref name="maxLength"/>.</summary>
    TokenizedText Encode(string text, int maxLength);

    /// <summary>Sub-word tokens of a text without special tokens or truncation, and how many of them are the unknown token.</summary>
    (int Tokens, int Unknown) Count(string text);

    /// <summary>Encodes a pair (query, passage) for a cross-encoder, truncating the longer side first.</summary>
    TokenizedText EncodePair(string first, string second, int maxLength);
}

/// <summary>Splits text into vocabulary ids, without special tokens.</summary>
internal interface ISubwordModel
{
    /// <summary>Id of the token that stands for what the vocabulary cannot cover.</summary>
    int UnknownId { get; }

    void AppendIds(string text, List<int> ids);
}
