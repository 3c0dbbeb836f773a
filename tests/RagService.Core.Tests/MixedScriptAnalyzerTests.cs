using RagService.Core.Text;

namespace RagService.Core.Tests;

public sealed class MixedScriptAnalyzerTests
{
    private readonly MixedScriptAnalyzer _analyzer = new();

    [Fact]
    public void Chinese_runs_become_unigrams_and_bigrams()
    {
        Assert.Equal(["披", "萨", "饼", "披萨", "萨饼"], _analyzer.Analyze("披萨饼"));
    }

    [Fact]
    public void Bigram_mode_keeps_a_lone_character()
    {
        var bigram = new MixedScriptAnalyzer(CjkSegmentation.Bigram);
        Assert.Equal(["生命", "命数"], bigram.Analyze("生命数"));
        Assert.Equal(["猫"], bigram.Analyze("猫"));
    }

    [Fact]
    public void Codes_are_kept_whole_and_as_parts()
    {
        Assert.Equal(["错", "误", "代", "码", "错误", "误代", "代码", "xyz-123", "xyz", "123"], _analyzer.Analyze("错误代码XYZ-123"));
        Assert.Contains("ab-9000", _analyzer.Analyze("型号AB-9000的规格"));
        Assert.Contains("v2.1", _analyzer.Analyze("升级到 v2.1 版本"));
    }

    [Fact]
    public void Full_width_text_is_folded_to_half_width_and_lower_case()
    {
        Assert.Equal(_analyzer.Analyze("XYZ-123 ABC"), _analyzer.Analyze("ＸＹＺ－１２３　ＡＢＣ"));
        Assert.Equal(["hello", "world"], _analyzer.Analyze("Hello, WORLD!"));
    }

    [Fact]
    public void Sentence_punctuation_does_not_join_words()
    {
        Assert.Equal(["end", "next"], _analyzer.Analyze("end. next"));
        Assert.Equal(["a", "b"], _analyzer.Analyze("a - b"));
    }

    [Fact]
    public void Questions_lose_interrogatives_but_keep_content_words()
    {
        var terms = _analyzer.AnalyzeQuery("加入会员送的饮料是什么？");
        Assert.DoesNotContain("什么", terms);
        Assert.DoesNotContain("什", terms);
        Assert.Contains("会员", terms);
        Assert.Contains("饮料", terms);
    }

    [Fact]
    public void Empty_and_symbol_only_text_has_no_terms()
    {
        Assert.Empty(_analyzer.Analyze(""));
        Assert.Empty(_analyzer.Analyze("？！。，  ---"));
    }

    [Fact]
    public void Characters_outside_the_basic_plane_stay_whole()
    {
        Assert.Equal(["𠀀", "字", "𠀀字"], _analyzer.Analyze("𠀀字"));
    }
}
