using System.Globalization;
using System.Text.Json;
using RagService.Onnx.TokenFixture;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

/// <summary>
/// The service's tokenizers against ids Hugging Face tokenizers produced (Fixtures/token-ids.*.json, written by
/// bench/RagService.Onnx.TokenFixture through Tokenizers.DotNet) on 552 strings: Chinese, English, mixed, codes, emoji,
/// accents, control characters and 1,000+ token texts, on the real all-MiniLM-L6-v2 vocabulary and the tests' own.
/// The same strings against the official SentencePiece library (bench/spm-unigram-fixture.py) on a Unigram model
/// trained here with spm_train: "spm-unigram" loads its proto through Microsoft.ML.Tokenizers, "spm-unigram-json" the
/// same pieces and scores as a tokenizer.json through the service's own Unigram model.
/// </summary>
public sealed class TokenizerFixtureTests
{
    public static TheoryData<string> Vocabularies => new() { "minilm", "test-wordpiece", "spm-unigram" };

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
    public void The_own_unigram_model_differs_from_sentencepiece_only_where_nfkc_stands_in_for_its_character_map()
    {
        // The service's Unigram model (tokenizer.json-only models) normalizes with .NET's NFKC, not SentencePiece's
        // nmt_nfkc character map, which also deletes or blanks control and format characters (and NFKC collapses none
        // of them): on every other string the ids must be SentencePiece's.
        var tokenizer = TokenizerFor("spm-unigram-json");
        var entries = Fixture("spm-unigram");
        var differing = entries.Where(e => !tokenizer.Encode(e.Text, int.MaxValue).Ids.SequenceEqual(e.Ids)).ToList();
        var unexplained = differing.Where(e => !e.Text.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format))
            .Select(e => $"{JsonSerializer.Serialize(e.Text)}: expected [{string.Join(",", e.Ids.Take(16))}] got [{string.Join(",", tokenizer.Encode(e.Text, int.MaxValue).Ids.Take(16))}]")
            .ToList();
        Assert.True(unexplained.Count == 0, $"{unexplained.Count} of {entries.Count} differ without a control or format character:\n" + string.Join("\n", unexplained.Take(10)));
        Assert.True(differing.Count < entries.Count / 5, $"{differing.Count} of {entries.Count} differ");
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

    internal static ITokenizer TokenizerFor(string vocabulary) => vocabulary switch
    {
        "minilm" => TokenizerLoader.FromDirectory(RealMiniLm.Directory).Tokenizer,
        "spm-unigram" or "spm-unigram-json" => TokenizerLoader.FromDirectory(Path.Combine(AppContext.BaseDirectory, "Fixtures", vocabulary)).Tokenizer,
        _ => TokenizerLoader.FromVocabTxt(TestVocabularies.WordPiece, new BertNormalization()),
    };

    internal static List<(string Text, int[] Ids)> Fixture(string vocabulary)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", $"token-ids.{vocabulary.Replace("-json", "", StringComparison.Ordinal)}.json")));
        return document.RootElement.EnumerateArray()
            .Select(e => (e.GetProperty("Text").GetString()!, e.GetProperty("Ids").EnumerateArray().Select(i => i.GetInt32()).ToArray()))
            .ToList();
    }
}
