namespace RagService.Onnx.Embeddings;

/// <summary>Query/passage prefixes the model authors prescribe, chosen by model id when the options leave them unset.</summary>
internal static class KnownPrefixes
{
    private const string BgeChineseQueryInstruction = "为这个句子生成表示以用于检索相关文章：";
    private const string BgeEnglishQueryInstruction = "Represent this sentence for searching relevant passages: ";

    public static (string Query, string Passage) For(string modelId)
    {
        var id = modelId.ToLowerInvariant();
        if (id.Contains("e5-", StringComparison.Ordinal))
        {
            return ("query: ", "passage: ");
        }

        if (id.Contains("bge-m3", StringComparison.Ordinal))
        {
            return ("", "");
        }

        if (id.Contains("bge-", StringComparison.Ordinal) && id.Contains("-zh", StringComparison.Ordinal))
        {
            return (BgeChineseQueryInstruction, "");
        }

        return id.Contains("bge-", StringComparison.Ordinal) && id.Contains("-en", StringComparison.Ordinal)
            ? (BgeEnglishQueryInstruction, "")
            : ("", "");
    }
}
