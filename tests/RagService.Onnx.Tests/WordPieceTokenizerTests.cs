using System.Text.Json;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

public sealed class WordPieceTokenizerTests
{
    private static readonly ITokenizer Uncased = TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization());

    [Theory]
    [InlineData("你好，世界。", new[] { 2, 5, 6, 1, 7, 8, 22, 3 })]            // CJK split per character; full-width comma unknown
    [InlineData("Hello, World!", new[] { 2, 9, 11, 10, 12, 3 })]              // lower-cased, punctuation split off
    [InlineData("testing tests", new[] { 2, 17, 18, 17, 16, 3 })]             // ## continuations
    [InlineData("你好hello世界", new[] { 2, 5, 6, 9, 7, 8, 3 })]              // mixed Chinese and English without spaces
    [InlineData("XYZ-123", new[] { 2, 13, 14, 15, 3 })]                       // a code splits at the dash
    [InlineData("XYZ-1234", new[] { 2, 13, 14, 1, 3 })]                       // an uncoverable word is one [UNK]
    [InlineData("Café unaffable", new[] { 2, 19, 24, 25, 26, 3 })]            // accents stripped
    [InlineData("☃ 😀", new[] { 2, 1, 1, 3 })]                               // unknown characters, incl. outside the BMP
    [InlineData("hello\tworld\u0007", new[] { 2, 9, 10, 3 })]                 // tab is a space, control characters dropped
    [InlineData("", new[] { 2, 3 })]
    public void Encodes_single_texts_to_hand_checked_ids(string text, int[] expected)
    {
        var encoded = Uncased.Encode(text, 64);
        Assert.Equal(expected, encoded.Ids);
        Assert.All(encoded.TypeIds, t => Assert.Equal(0, t));
    }

    [Fact]
    public void Truncates_to_max_length_keeping_the_special_tokens()
    {
        Assert.Equal([2, 9, 10, 9, 3], Uncased.Encode("hello world hello world hello", 5).Ids);
    }

    [Fact]
    public void Encodes_pairs_with_segment_ids()
    {
        var pair = Uncased.EncodePair("hello", "world!", 64);
        Assert.Equal([2, 9, 3, 10, 12, 3], pair.Ids);
        Assert.Equal([0, 0, 0, 1, 1, 1], pair.TypeIds);
    }

    [Fact]
    public void Pair_truncation_shortens_the_longer_side_first()
    {
        var pair = Uncased.EncodePair("hello world hello", "test test", 7);
        Assert.Equal([2, 9, 10, 3, 17, 17, 3], pair.Ids);
        Assert.Equal([0, 0, 0, 0, 1, 1, 1], pair.TypeIds);
    }

    [Fact]
    public void Cased_vocabulary_keeps_case()
    {
        var cased = TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization(Lowercase: false));
        Assert.Equal([2, 1, 10, 3], cased.Encode("Hello world", 64).Ids);
    }

    [Fact]
    public void Tokenizer_json_gives_the_same_ids_as_vocab_txt()
    {
        using var doc = JsonDocument.Parse(TestVocabularies.WordPieceTokenizerJson());
        var (fromJson, kind) = TokenizerLoader.FromTokenizerJson(doc.RootElement);
        Assert.Equal("wordpiece", kind);
        foreach (var text in new[] { "你好，世界。", "Hello, World!", "XYZ-123 testing", "Café" })
        {
            Assert.Equal(Uncased.Encode(text, 64).Ids, fromJson.Encode(text, 64).Ids);
        }

        Assert.Equal([0, 0, 0, 1, 1], fromJson.EncodePair("hello", "world", 64).TypeIds);
    }

    [Fact]
    public void Loads_vocab_txt_and_tokenizer_config_from_a_model_directory()
    {
        var dir = Directory.CreateTempSubdirectory("wp-");
        try
        {
            File.WriteAllLines(Path.Combine(dir.FullName, "vocab.txt"), TestVocabularies.WordPiece);
            File.WriteAllText(Path.Combine(dir.FullName, "tokenizer_config.json"), """{"do_lower_case": false, "model_max_length": 256}""");
            var loaded = TokenizerLoader.FromDirectory(dir.FullName);
            Assert.Equal(256, loaded.ModelMaxLength);
            Assert.Equal([2, 1, 10, 3], loaded.Tokenizer.Encode("Hello world", 64).Ids);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Directory_without_tokenizer_files_is_a_clear_error()
    {
        var dir = Directory.CreateTempSubdirectory("empty-");
        try
        {
            var ex = Assert.Throws<FileNotFoundException>(() => TokenizerLoader.FromDirectory(dir.FullName));
            Assert.Contains("tokenizer.json or vocab.txt", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
