using RagService.Core.Chunking;
using RagService.Core.Retrieval.Calibration;

namespace RagService.Core.Tests;

/// <summary>Where a Latin sentence ends, where an over-long sentence may be cut, and how a pseudo-query is cut out: offsets worked out by hand.</summary>
public sealed class SentenceAndWordBoundaryTests
{
    /// <summary>The offset just past the sentence the mark at the first occurrence of <paramref name="mark"/> ends, or -1.</summary>
    private static int EndAt(string text, string mark) => LatinSentenceEnds.EndAt(text, text.IndexOf(mark, StringComparison.Ordinal) + mark.Length - 1);

    [Theory]
    [InlineData("Hi. There", ".", 3)]
    [InlineData("Why? Because", "?", 4)]
    [InlineData("Wow! Yes", "!", 4)]
    [InlineData("End.", ".", 4)]
    [InlineData("Hi.\nThere", ".", 3)]
    [InlineData("Hi.   There", ".", 3)]
    [InlineData("He said \"Go.\" Then", "Go.", 13)] // the closing quote belongs to the sentence
    [InlineData("(As shown.) Next", "shown.", 11)]
    [InlineData("Done.» Puis", ".", 6)]
    [InlineData("在北京. Then", ".", 4)] // a Chinese word before the period is not an initial
    [InlineData("See file.txt. Next", "txt.", 13)] // a dotted file name is not an initialism
    [InlineData("Wait... Then", "...", 7)] // the last dot of an ellipsis ends it
    [InlineData("Apples etc. The end", "etc.", 11)] // may-be-final abbreviation before a capital
    [InlineData("Made by Acme Inc.", "Inc.", 17)] // ... or at the end of the text
    [InlineData("It is 3.5. Then", "5.", 10)]
    public void A_sentence_ends_here(string text, string mark, int end) => Assert.Equal(end, EndAt(text, mark));

    [Theory]
    [InlineData("a, b", ",")]
    [InlineData("It costs 3.5 euros", "3.")] // decimal: no whitespace after the period
    [InlineData("Hi.there", ".")]
    [InlineData("He said \"no.\" then left", "no.")] // lower case after the quote
    [InlineData("Yes. and then", ".")]
    [InlineData("Ask Mr. Smith", "Mr.")]
    [InlineData("Ask MR. Smith", "MR.")] // abbreviations ignore case
    [InlineData("See Fig. Two", "Fig.")]
    [InlineData("John F. Kennedy", "F.")]
    [InlineData("In the U.S. Army", "S.")]
    [InlineData("Use e.g. These", "g.")]
    [InlineData("A Ph.D. Student", "D.")]
    [InlineData("Apples etc. 3 more", "etc.")] // may-be-final abbreviation before a digit
    [InlineData("Wait... Then", "..")] // inner dots of an ellipsis
    public void No_sentence_ends_here(string text, string mark) => Assert.Equal(-1, EndAt(text, mark));

    [Fact]
    public void Only_periods_question_and_exclamation_marks_end_sentences()
    {
        Assert.Equal(-1, LatinSentenceEnds.EndAt("Hi; There", 2));
        Assert.Equal(-1, LatinSentenceEnds.EndAt("Hi: There", 2));
        // A question mark after an abbreviation-like word still ends the sentence: only periods make abbreviations.
        Assert.Equal(9, LatinSentenceEnds.EndAt("Is it Mr? Yes", 8));
    }

    [Theory]
    [InlineData("hello world foo", 0, 8, 6)] // back to the space before "world"
    [InlineData("hello world foo", 0, 5, 5)] // right before the space
    [InlineData("hello world foo", 0, 20, 15)] // past the end: the whole text
    [InlineData("hello world foo", 0, 15, 15)]
    [InlineData("abcdefghij", 0, 4, 4)] // one word fills the span: cut at the limit
    [InlineData("ab cdefghij", 3, 7, 7)] // the only space is before the span's start
    [InlineData("abc中def", 0, 5, 4)] // after the Chinese character
    [InlineData("abc中def", 0, 3, 3)] // before it
    [InlineData("我们在北京", 0, 3, 3)]
    [InlineData("abc，def", 0, 5, 4)] // after a full-width comma
    public void An_over_long_sentence_is_cut_at_a_word_boundary(string text, int start, int limit, int cut) =>
        Assert.Equal(cut, WordBoundaries.CutAtOrBefore(text, start, limit));

    [Fact]
    public void A_surrogate_pair_is_never_cut()
    {
        const string text = "ab𠀀cd"; // a b [high low] c d
        Assert.False(WordBoundaries.IsCutPoint(text, 3));
        Assert.True(WordBoundaries.IsCutPoint(text, 2));
        Assert.True(WordBoundaries.IsCutPoint(text, 4));
        Assert.Equal(2, WordBoundaries.CutAtOrBefore(text, 0, 3));
        // Between two supplementary ideographs, not inside the second.
        Assert.Equal(5, WordBoundaries.CutAtOrBefore("xxx𠀀𠀀y", 3, 6));
        Assert.True(WordBoundaries.IsCutPoint(text, 0));
        Assert.True(WordBoundaries.IsCutPoint(text, text.Length));
    }

    [Theory]
    [InlineData('\u2E80', true)] // CJK radicals supplement, first
    [InlineData('\u2E7F', false)]
    [InlineData('\u3002', true)] // ideographic full stop
    [InlineData('\u9FFF', true)]
    [InlineData('\uA000', false)] // Yi: written with spaces? outside the range either way
    [InlineData('\uF900', true)] // compatibility ideographs
    [InlineData('\uFAFF', true)]
    [InlineData('\uFB00', false)] // Latin ligature ff
    [InlineData('\uFE30', true)] // vertical forms
    [InlineData('\uFE4F', true)]
    [InlineData('\uFE50', false)]
    [InlineData('\uFF00', true)] // full-width forms
    [InlineData('\uFF60', true)]
    [InlineData('a', false)]
    [InlineData('é', false)]
    [InlineData(' ', false)]
    public void Scripts_without_spaces_are_those_of_the_documented_ranges(char c, bool unspaced) => Assert.Equal(unspaced, WordBoundaries.IsUnspacedScript(c));

    [Fact]
    public void A_pseudo_query_keeps_the_punctuation_between_its_words()
    {
        var split = InverseClozeSplit.Of("one, two; three. four! five? six: seven - eight (nine)")!;
        Assert.Equal("four! five? six:", split.Query);
        Assert.Equal("one, two; three. seven - eight (nine)", split.HeldOut);
        Assert.Equal("one, two; three. four! six: seven - eight (nine)", split.Overlapping);
    }

    [Fact]
    public void Twelve_words_give_a_four_word_query_of_which_every_second_stays_in_the_overlapping_target()
    {
        var split = InverseClozeSplit.Of("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11")!;
        Assert.Equal("w4 w5 w6 w7", split.Query);
        Assert.Equal("w0 w1 w2 w3 w8 w9 w10 w11", split.HeldOut);
        Assert.Equal("w0 w1 w2 w3 w4 w6 w8 w9 w10 w11", split.Overlapping);
    }

    [Fact]
    public void Ten_words_put_the_extra_word_in_the_last_third()
    {
        var split = InverseClozeSplit.Of("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9")!;
        Assert.Equal("w3 w4 w5", split.Query);
        Assert.Equal("w0 w1 w2 w6 w7 w8 w9", split.HeldOut);
    }

    [Fact]
    public void Korean_syllables_kana_and_supplementary_ideographs_are_units_of_one_character()
    {
        Assert.Equal("라마바", InverseClozeSplit.Of("가나다라마바사아자")!.Query);
        Assert.Equal("えおか", InverseClozeSplit.Of("あいうえおかきくけ")!.Query);
        var ext = InverseClozeSplit.Of("𠀀𠀁𠀂𠀃𠀄𠀅𠀆𠀇𠀈")!;
        Assert.Equal("𠀃𠀄𠀅", ext.Query);
        Assert.Equal("𠀀𠀁𠀂 𠀆𠀇𠀈", ext.HeldOut);
        Assert.Equal("𠀀𠀁𠀂𠀃𠀅𠀆𠀇𠀈", ext.Overlapping);
        // Eight Hangul syllables are too few; a Chinese run inside English counts per character.
        Assert.Null(InverseClozeSplit.Of("가나다라마바사아"));
        Assert.Equal("中 文 d", InverseClozeSplit.Of("a b c 中 文 d e f g")!.Query);
        Assert.Equal("中文d", InverseClozeSplit.Of("a b c中文d e f g h")!.Query);
    }
}

/// <summary>Which scripts a pseudo-query counts per character: nine of one character split only when it is CJK.</summary>
public sealed class InverseClozeScriptEdgeTests
{
    [Theory]
    [InlineData(0x3041, true)] // first hiragana
    [InlineData(0x30FF, true)] // last katakana block character
    [InlineData(0x3400, true)] // extension A, first
    [InlineData(0x4DBF, true)] // extension A, last
    [InlineData(0x4E00, true)]
    [InlineData(0x9FFF, true)]
    [InlineData(0xF900, true)] // compatibility ideographs
    [InlineData(0x20000, true)] // extension B, first
    [InlineData(0x2A6DF, true)] // extension B, last
    [InlineData(0xAC00, true)] // first Hangul syllable
    [InlineData(0xD7A3, true)] // last Hangul syllable
    [InlineData(0x3105, false)] // Bopomofo: a letter, not in the ranges
    [InlineData(0xA000, false)] // Yi
    [InlineData(0x3300, false)] // CJK compatibility square: a symbol
    public void Nine_of_one_character_make_a_pseudo_query_only_in_a_cjk_script(int codePoint, bool cjk)
    {
        var c = char.ConvertFromUtf32(codePoint);
        var split = InverseClozeSplit.Of(string.Concat(Enumerable.Repeat(c, 9)));
        Assert.Equal(cjk ? c + c + c : null, split?.Query);
    }
}
