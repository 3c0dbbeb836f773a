using System.Text.Json;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

public sealed class UnigramTokenizerTests
{
    private static readonly ITokenizer Tokenizer = Load();

    private static ITokenizer Load()
    {
        using var doc = JsonDocument.Parse(TestVocabularies.UnigramTokenizerJson());
        var (tokenizer, kind) = TokenizerLoader.FromTokenizerJson(doc.RootElement);
        Assert.Equal("unigram", kind);
        return tokenizer;
    }

    [Theory]
    [InlineData("hello world", new[] { 0, 5, 6, 2 })]          // ▁world (-3.5) beats ▁wor + ld (-8)
    [InlineData("你好世界", new[] { 0, 13, 12, 2 })]            // ▁你好 + 世界 (-10.5) beats ▁ + 你好 + 世界 (-12)
    [InlineData("hello你好", new[] { 0, 5, 9, 2 })]             // mixed text in one word
    [InlineData("XYZ-123", new[] { 0, 18, 19, 20, 2 })]         // 123 as one piece beats 1 2 3
    [InlineData("hello ☃☃ world", new[] { 0, 5, 4, 3, 6, 2 })] // consecutive unknown characters fuse into one <unk>
    [InlineData("ｈｅｌｌｏ", new[] { 0, 5, 2 })]                // NFKC folds full-width letters
    [InlineData("  hello   world  ", new[] { 0, 5, 6, 2 })]     // extra whitespace collapsed
    public void Encodes_to_the_highest_scoring_segmentation(string text, int[] expected)
    {
        Assert.Equal(expected, Tokenizer.Encode(text, 64).Ids);
    }

    [Fact]
    public void Pairs_use_the_xlmr_template_with_type_zero()
    {
        var pair = Tokenizer.EncodePair("hello", "world", 64);
        Assert.Equal([0, 5, 2, 2, 6, 2], pair.Ids);
        Assert.All(pair.TypeIds, t => Assert.Equal(0, t));
    }

    [Fact]
    public void Truncates_to_max_length()
    {
        Assert.Equal([0, 5, 6, 2], Tokenizer.Encode("hello world hello world", 4).Ids);
        Assert.Equal(8, Tokenizer.EncodePair("hello world hello world", "你好世界 hello", 8).Length);
    }

    [Fact]
    public void Pad_id_defaults_to_the_pad_piece()
    {
        Assert.Equal(1, Tokenizer.PadId);
    }
}
