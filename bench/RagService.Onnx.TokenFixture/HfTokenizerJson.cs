using System.Text.Json;

namespace RagService.Onnx.TokenFixture;

/// <summary>A Hugging Face tokenizer.json for a BERT WordPiece vocabulary, as transformers' BertTokenizerFast saves it.</summary>
internal static class HfTokenizerJson
{
    public static string WordPiece(IReadOnlyList<string> vocabulary, bool lowercase)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in vocabulary)
        {
            ids.TryAdd(token, ids.Count);
        }

        return JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["version"] = "1.0",
            ["truncation"] = null,
            ["padding"] = null,
            ["added_tokens"] = new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" }.Select(t => new
            {
                id = ids[t], content = t, single_word = false, lstrip = false, rstrip = false, normalized = false, special = true,
            }).ToArray(),
            ["normalizer"] = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase },
            ["pre_tokenizer"] = new { type = "BertPreTokenizer" },
            ["post_processor"] = new
            {
                type = "TemplateProcessing",
                single = new object[] { Special("[CLS]"), Sequence("A", 0), Special("[SEP]") },
                pair = new object[] { Special("[CLS]"), Sequence("A", 0), Special("[SEP]"), Sequence("B", 1), Special("[SEP]", 1) },
                special_tokens = new Dictionary<string, object>
                {
                    ["[CLS]"] = new { id = "[CLS]", ids = new[] { ids["[CLS]"] }, tokens = new[] { "[CLS]" } },
                    ["[SEP]"] = new { id = "[SEP]", ids = new[] { ids["[SEP]"] }, tokens = new[] { "[SEP]" } },
                },
            },
            ["decoder"] = new { type = "WordPiece", prefix = "##", cleanup = true },
            ["model"] = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", max_input_chars_per_word = 100, vocab = ids },
        });
    }

    private static object Special(string id, int typeId = 0) => new { SpecialToken = new { id, type_id = typeId } };

    private static object Sequence(string id, int typeId) => new { Sequence = new { id, type_id = typeId } };
}

/// <summary>The hand vocabulary of tests/RagService.Onnx.Tests/TestVocabularies.cs (kept equal by the fixture test).</summary>
internal static class TestWordPiece
{
    public static readonly string[] Vocabulary =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "你", "好", "世", "界", "hello",
        "world", ",", "!", "xyz", "-", "123", "##s", "test", "##ing", "cafe",
        "12", "##3", "。", "the", "un", "##aff", "##able",
    ];
}
