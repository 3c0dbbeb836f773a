using RagService.Core.Chunking;

namespace RagService.Core.Tests;

/// <summary>The sentences chunking packs: which marks close a sentence and stay with it, written out by hand.</summary>
public sealed class SentenceSplitterTests
{
    private static List<string> Split(string text) => SentenceSplitter.Split(text, SentenceSplitter.CjkDelimiters);

    [Theory]
    [InlineData("他说：“好。”然后", new[] { "他说：“好。”", "然后" })]
    [InlineData("好。」下", new[] { "好。」", "下" })]
    [InlineData("好。\"下", new[] { "好。\"", "下" })]
    [InlineData("好。）下", new[] { "好。）", "下" })]
    [InlineData("好。)下", new[] { "好。)", "下" })]
    [InlineData("真的？！好", new[] { "真的？！", "好" })] // a run of delimiters closes one sentence
    [InlineData("好。\n\n下", new[] { "好。", "\n", "\n", "下" })] // a line feed is a sentence of its own, never a closing mark
    [InlineData("一。二。三", new[] { "一。", "二。", "三" })]
    [InlineData("好。", new[] { "好。" })]
    [InlineData("Hi. There.", new[] { "Hi. ", "There." })] // the spaces after a Latin end stay with it
    [InlineData("Hi.\nThere", new[] { "Hi.", "\n", "There" })] // but not the line feed
    [InlineData("", new string[0])]
    public void Sentences_tile_the_text_with_their_closing_marks(string text, string[] sentences) => Assert.Equal(sentences, Split(text));

    [Fact]
    public void Ends_list_each_sentence_end_once_ending_with_the_texts_length()
    {
        Assert.Equal([3], SentenceSplitter.Ends("Hi.", SentenceSplitter.CjkDelimiters, keepClosingMarks: true));
        Assert.Equal([2, 5], SentenceSplitter.Ends("好。”下。", SentenceSplitter.CjkDelimiters, keepClosingMarks: false));
        Assert.Equal([0], SentenceSplitter.Ends("", SentenceSplitter.CjkDelimiters, keepClosingMarks: true));
    }

    [Theory]
    [InlineData("abcdef", 3, new[] { "abc", "def" })]
    [InlineData("abcdefg", 3, new[] { "abc", "def", "g" })]
    [InlineData("abc", 3, new[] { "abc" })]
    [InlineData("ab cd ef", 5, new[] { "ab cd", " ef" })] // cut before the space
    public void Hard_cut_parts_are_at_most_max_long(string piece, int max, string[] parts) => Assert.Equal(parts, SentenceSplitter.HardCut(piece, max));
}
