using System.Text.Json;
using RagService.Onnx.TokenFixture;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

/// <summary>
/// The service's tokenizers against ids Hugging Face tokenizers produced (Fixtures/token-ids.*.json, written by
/// bench/RagService.Onnx.TokenFixture through Tokenizers.DotNet) on 552 strings: Chinese, English, mixed, codes, emoji,
/// accents, control characters and 1,000+ token texts, on the real all-MiniLM-L6-v2 vocabulary and the tests' own.
/// </summary>
public sealed class TokenizerFixtureTests
{
    public static TheoryData<string> Vocabularies => new() { "minilm", "test-wordpiece" };

    [Theory]
    [MemberData(nameof(Vocabularies))]
    public void Every_fixture_string_gets_the_hugging_face_ids(string vocabulary)
    {
        var tokenizer = TokenizerFor(vocabulary);
        var entries = Fixture(vocabulary);
        Assert.True(entries.Count >= 500, $"{entries.Count} strings");
        Assert.Contains(entries, e => e.Ids.Length > 1000);
        var mismatches = entries.Where(e => !tokenizer.Encode(e.Text, int.MaxValue).Ids.SequenceEqual(e.Ids))
            .Select(e => $"{JsonSerializer.Serialize(e.Text)}: expected [{string.Join(",", e.Ids.Take(16))}] got [{string.Join(",", tokenizer.Encode(e.Text, int.MaxValue).Ids.Take(16))}]")
            .ToList();
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {entries.Count} differ:\n" + string.Join("\n", mismatches.Take(10)));
    }

    [Fact]
    public void Truncation_keeps_the_first_tokens_and_the_closing_separator()
    {
        var tokenizer = TokenizerFor("minilm");
        foreach (var entry in Fixture("minilm").Where(e => e.Ids.Length > 256))
        {
            // Hugging Face truncation of one sequence: the first max-2 word pieces, then [SEP].
            int[] expected = [.. entry.Ids[..255], entry.Ids[^1]];
            Assert.Equal(expected, tokenizer.Encode(entry.Text, 256).Ids);
        }
    }

    [Fact]
    public void The_generator_used_the_tests_vocabulary() => Assert.Equal(TestVocabularies.WordPiece, TestWordPiece.Vocabulary);

    internal static ITokenizer TokenizerFor(string vocabulary) => vocabulary == "minilm"
        ? TokenizerLoader.FromDirectory(RealMiniLm.Directory).Tokenizer
        : TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization());

    internal static List<(string Text, int[] Ids)> Fixture(string vocabulary)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"token-ids.{vocabulary}.json")));
        return document.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("Text").GetString()!, e.GetProperty("Ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToList();
    }
}
