using RagService.Core.Text;

namespace RagService.Core.Tests;

/// <summary>The terms the default analyzer makes of mixed text: each expectation is the token list a user would search by.</summary>
public sealed class MixedScriptTokenTests
{
    private readonly MixedScriptAnalyzer _analyzer = new();

    [Theory]
    [InlineData("a_b", new[] { "a_b", "a", "b" })]
    [InlineData("x.y/z+w", new[] { "x.y/z+w", "x", "y", "z", "w" })]
    [InlineData("abc-", new[] { "abc" })] // a trailing joiner is punctuation
    [InlineData("-abc", new[] { "abc" })] // so is a leading one
    [InlineData("abc--def", new[] { "abc", "def" })] // two joiners in a row split
    [InlineData("c++ code", new[] { "c", "code" })]
    [InlineData("abc-中", new[] { "abc", "中" })] // a joiner before a Chinese character joins nothing
    [InlineData("abc中文", new[] { "abc", "中", "文", "中文" })] // Latin and Chinese split without a space
    [InlineData("2024年", new[] { "2024", "年" })]
    [InlineData("tab\tand\nnew line", new[] { "tab", "and", "new", "line" })]
    [InlineData("a\uD840", new[] { "a" })] // a lone surrogate is no character
    public void Words_codes_and_joiners(string text, string[] terms) => Assert.Equal(terms, _analyzer.Analyze(text));

    [Theory]
    [InlineData("한국", new[] { "한", "국", "한국" })] // Hangul syllables
    [InlineData("かな", new[] { "か", "な", "かな" })] // hiragana
    [InlineData("カナ", new[] { "カ", "ナ", "カナ" })] // katakana
    [InlineData("一〇", new[] { "一", "〇", "一〇" })] // ideographic zero
    [InlineData("㐀䶿", new[] { "㐀", "䶿", "㐀䶿" })] // extension A, first and last
    [InlineData("豈鿿", new[] { "豈", "鿿", "豈鿿" })] // compatibility ideograph; last of the basic block
    public void Every_cjk_script_becomes_unigrams_and_bigrams(string text, string[] terms) => Assert.Equal(terms, _analyzer.Analyze(text));

    [Fact]
    public void Characters_just_outside_the_cjk_ranges_are_not_cjk()
    {
        Assert.True(MixedScriptAnalyzer.IsCjk("\u4E00", 0));
        Assert.False(MixedScriptAnalyzer.IsCjk("\u33FF", 0)); // CJK compatibility squares: symbols
        Assert.False(MixedScriptAnalyzer.IsCjk("\u4DC0", 0)); // Yijing hexagrams
        Assert.False(MixedScriptAnalyzer.IsCjk("\uA000", 0)); // Yi
        Assert.False(MixedScriptAnalyzer.IsCjk("\uD7B0", 0)); // Hangul Jamo extended-B
        Assert.False(MixedScriptAnalyzer.IsCjk("\u303F", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk("\u30FF", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk("\u3040", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk("\uAC00", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk("\uD7AF", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk("\uFAFF", 0));
        Assert.False(MixedScriptAnalyzer.IsCjk("\uFB00", 0));
        Assert.True(MixedScriptAnalyzer.IsCjk(char.ConvertFromUtf32(0x2EBEF), 0)); // last of the extension blocks
        Assert.False(MixedScriptAnalyzer.IsCjk(char.ConvertFromUtf32(0x2EBF0), 0));
        Assert.False(MixedScriptAnalyzer.IsCjk(char.ConvertFromUtf32(0x1FFFF), 0));
        Assert.False(MixedScriptAnalyzer.IsCjk("\uD840", 0)); // high surrogate without its pair
    }

    [Fact]
    public void Unigram_mode_indexes_single_characters_only_and_bigram_mode_pairs_only()
    {
        Assert.Equal(["披", "萨", "饼"], new MixedScriptAnalyzer(CjkSegmentation.Unigram).Analyze("披萨饼"));
        Assert.Equal(["生命"], new MixedScriptAnalyzer(CjkSegmentation.Bigram).Analyze("生命"));
        Assert.Equal(["a", "猫"], new MixedScriptAnalyzer(CjkSegmentation.Unigram).Analyze("a 猫"));
    }

    [Fact]
    public void The_signature_names_the_segmentation()
    {
        Assert.Equal("mixed-script/v1/BigramAndUnigram", _analyzer.Signature);
        Assert.Equal("mixed-script/v1/Bigram", new MixedScriptAnalyzer(CjkSegmentation.Bigram).Signature);
    }

    [Fact]
    public void A_question_loses_its_longest_question_word_whole()
    {
        // "为什么" goes before "什么" could leave "为" behind.
        Assert.Equal(["天", "空", "蓝", "天空", "空蓝"], _analyzer.AnalyzeQuery("为什么天空蓝"));
        Assert.Equal(["价", "格", "是", "价格", "格是"], _analyzer.AnalyzeQuery("价格是多少钱？")); // "多少钱" before "多少"
        Assert.Empty(_analyzer.AnalyzeQuery(null!));
        Assert.Equal(["hello"], _analyzer.AnalyzeQuery("ＨＥＬＬＯ吗"));
    }
}
