using System.Text.Json;

namespace RagService.Onnx.Tests;

/// <summary>Small hand-made vocabularies whose expected ids can be checked by eye.</summary>
public static class TestVocabularies
{
    public static readonly string[] WordPiece =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "你", "好", "世", "界", "hello", // 0-9
        "world", ",", "!", "xyz", "-", "123", "##s", "test", "##ing", "cafe",         // 10-19
        "12", "##3", "。", "the", "un", "##aff", "##able",                            // 20-26
    ];

    public static readonly (string Piece, double Score)[] Unigram =
    [
        ("<s>", 0), ("<pad>", 0), ("</s>", 0), ("<unk>", 0), ("\u2581", -2), ("\u2581hello", -3), ("\u2581world", -3.5), // 0-6
        ("\u2581wor", -4), ("ld", -4), ("你好", -5), ("\u2581你", -6), ("好", -6.5), ("世界", -5), ("\u2581你好", -5.5),     // 7-13
        ("h", -8), ("e", -8), ("l", -8), ("o", -8), ("\u2581XYZ", -7), ("-", -3), ("123", -6), ("1", -7), ("2", -7), ("3", -7), // 14-23
    ];

    /// <summary>A tokenizer.json for the Unigram vocabulary, XLM-R style, with a TemplateProcessing post-processor.</summary>
    public static string UnigramTokenizerJson() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["padding"] = null,
        ["normalizer"] = new { type = "Sequence", normalizers = new object[] { new { type = "Precompiled" }, new { type = "Replace" } } },
        ["pre_tokenizer"] = new { type = "Metaspace", replacement = "\u2581", prepend_scheme = "always", split = true },
        ["post_processor"] = new
        {
            type = "TemplateProcessing",
            single = new object[] { Special("<s>"), Sequence("A", 0), Special("</s>") },
            pair = new object[] { Special("<s>"), Sequence("A", 0), Special("</s>"), Special("</s>"), Sequence("B", 0), Special("</s>") },
            special_tokens = new Dictionary<string, object>
            {
                ["<s>"] = new { id = "<s>", ids = new[] { 0 }, tokens = new[] { "<s>" } },
                ["</s>"] = new { id = "</s>", ids = new[] { 2 }, tokens = new[] { "</s>" } },
            },
        },
        ["model"] = new { type = "Unigram", unk_id = 3, vocab = Unigram.Select(p => new object[] { p.Piece, p.Score }).ToArray() },
    });

    /// <summary>A tokenizer.json for the WordPiece vocabulary, BERT style.</summary>
    public static string WordPieceTokenizerJson(bool lowercase = true) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["normalizer"] = new { type = "BertNormalizer", clean_text = true, handle_chinese_chars = true, strip_accents = (bool?)null, lowercase },
        ["pre_tokenizer"] = new { type = "BertPreTokenizer" },
        ["post_processor"] = new { type = "BertProcessing", sep = new object[] { "[SEP]", 3 }, cls = new object[] { "[CLS]", 2 } },
        ["model"] = new
        {
            type = "WordPiece",
            unk_token = "[UNK]",
            continuing_subword_prefix = "##",
            max_input_chars_per_word = 100,
            vocab = WordPiece.Select((t, i) => (t, i)).ToDictionary(p => p.t, p => p.i),
        },
    });

    private static object Special(string id) => new { SpecialToken = new { id, type_id = 0 } };

    private static object Sequence(string id, int typeId) => new { Sequence = new { id, type_id = typeId } };
}
