using RagService.Core.Models;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

/// <summary>The model-fit check's counts: sub-word tokens and [UNK]s of a text, against a vocabulary small enough to count by hand.</summary>
public sealed class TokenCoverageTests
{
    private static readonly ITokenizer Tokenizer = TokenizerLoader.FromVocabTxt(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "cat", "sat", "##s", "猫"], new BertNormalization());

    [Theory]
    [InlineData("cats sat", 3, 0)]          // cat ##s sat
    [InlineData("dogs sat", 2, 1)]          // [UNK] sat: a word WordPiece cannot cover is one [UNK]
    [InlineData("猫狗猫", 3, 1)]             // CJK characters are words of their own: 猫 [UNK] 猫
    [InlineData("", 0, 0)]
    public void Count_gives_tokens_and_unknown_tokens_without_special_tokens(string text, int tokens, int unknown) =>
        Assert.Equal((tokens, unknown), Tokenizer.Count(text));

    [Fact]
    public void Thresholds_warn_only_above_their_limits()
    {
        var limits = new ModelFitThresholds { MaxUnknownTokenRate = 0.25, MaxTruncationRate = 0.5 };
        Assert.Empty(limits.Warnings(new ModelFit(Texts: 2, Tokens: 4, UnknownTokens: 1, TruncatedTexts: 1, MaxSequenceLength: 128), "m"));
        var warnings = limits.Warnings(new ModelFit(Texts: 2, Tokens: 4, UnknownTokens: 2, TruncatedTexts: 2, MaxSequenceLength: 128), "m");
        Assert.Equal(2, warnings.Count);
        Assert.Contains("50.0 % of the tokens are unknown to m", warnings[0]);
        Assert.Contains("longer than m's 128 tokens", warnings[1]);
    }
}
