using RagService.Core.Chunking;
using RagService.Core.Documents;

namespace RagService.Core.Tests;

public sealed class ChunkerTests
{
    private static ExtractedDocument Doc(params DocumentBlock[] blocks) => new("Title", blocks, "markdown");

    [Fact]
    public void Sentence_pack_matches_the_anchor_rules()
    {
        // 。！？；\n end sentences; pieces are packed while the chunk stays <= max; longer sentences are hard-cut.
        var text = "一二三。四五六！七八九？" + new string('长', 25) + "\n尾";
        var chunks = SentencePackChunker.Cut(text, 10);
        var pieces = chunks.Select(c => text[c.Start..c.End]).ToList();
        Assert.Equal(["一二三。四五六！", "七八九？", new string('长', 10), new string('长', 10), new string('长', 5) + "\n尾"], pieces);
        Assert.Equal(text, string.Concat(pieces));
    }

    [Fact]
    public void Sentence_pack_drops_whitespace_only_chunks_and_never_splits_surrogates()
    {
        var text = "甲。\n\n\n\n\n\n\n\n\n\n\n\n乙";
        Assert.DoesNotContain(SentencePackChunker.Cut(text, 4), c => string.IsNullOrWhiteSpace(text[c.Start..c.End]));

        var surrogates = string.Concat(Enumerable.Repeat("𠀀", 5));
        Assert.All(SentencePackChunker.Cut(surrogates, 3), c => Assert.False(char.IsLowSurrogate(surrogates[c.Start])));
    }

    [Fact]
    public void English_sentences_end_at_stops_but_not_at_abbreviations_initialisms_or_decimals()
    {
        const string text = "We use tools, e.g. hammers. The U.S. Army paid 3.5 million dollars. Mr. Smith agreed! Did Dr. Who? Yes.";

        Assert.Equal(
            ["We use tools, e.g. hammers. ", "The U.S. Army paid 3.5 million dollars. ", "Mr. Smith agreed! ", "Did Dr. Who? ", "Yes."],
            SentenceSplitter.Split(text, SentenceSplitter.CjkDelimiters));

        // Sentences of 28, 40, 18, 13 and 4 characters packed into chunks of at most 45.
        Assert.Equal(
            ["We use tools, e.g. hammers. ", "The U.S. Army paid 3.5 million dollars. ", "Mr. Smith agreed! Did Dr. Who? Yes."],
            AnchorChunks(text, 45));
    }

    [Theory]
    [InlineData("It costs approx. five dollars. Then it rises.", "It costs approx. five dollars. |Then it rises.")]
    [InlineData("John F. Kennedy spoke. People listened.", "John F. Kennedy spoke. |People listened.")]
    [InlineData("Apples, pears etc. are fruit. Nuts etc. Then more.", "Apples, pears etc. are fruit. |Nuts etc. |Then more.")]
    [InlineData("He said \"Stop.\" Then he left.", "He said \"Stop.\" |Then he left.")]
    [InlineData("Open config.json. Then save. Wait... Go.", "Open config.json. |Then save. |Wait... |Go.")]
    [InlineData("Yahoo! is a company. Really? yes.", "Yahoo! is a company. |Really? yes.")]
    public void Latin_sentence_ends_follow_the_next_word_and_the_abbreviation_lists(string text, string expected)
    {
        Assert.Equal(expected.Split('|'), SentenceSplitter.Split(text, SentenceSplitter.CjkDelimiters));
    }

    [Fact]
    public void Mixed_chinese_and_english_paragraphs_split_at_both_kinds_of_ending()
    {
        const string text = "我们在2019年访问了U.S. 总部。The office opened in 3.5 weeks! 然后我们回家了；Everyone was happy. 结束";
        string[] sentences = ["我们在2019年访问了U.S. 总部。", "The office opened in 3.5 weeks! ", "然后我们回家了；", "Everyone was happy. ", "结束"];

        Assert.Equal(sentences, SentenceSplitter.Split(text, SentenceSplitter.CjkDelimiters));
        // Sentences of 19, 32, 8, 20 and 2 characters packed into chunks of at most 35.
        Assert.Equal([sentences[0], sentences[1], "然后我们回家了；Everyone was happy. 结束"], AnchorChunks(text, 35));

        var structured = new StructuredChunker(new ChunkingOptions { MaxSize = 35, Overlap = 0 })
            .Chunk(Doc(new DocumentBlock(BlockKind.Paragraph, text)));
        Assert.Equal([sentences[0], sentences[1].TrimEnd(), "然后我们回家了；Everyone was happy. 结束"], structured.Select(c => c.Text));
    }

    [Fact]
    public void Sentences_longer_than_a_chunk_are_cut_on_word_boundaries()
    {
        // Max 18: offset 18 falls inside "fox", so the first cut backs off to 16 (after "brown "); offset 34 is the space
        // after "the", a boundary.
        Assert.Equal(["The quick brown ", "fox jumps over the", " lazy dog"], AnchorChunks("The quick brown fox jumps over the lazy dog", 18));

        // Chinese characters can be cut anywhere, a Latin word only at its edges; a word longer than a chunk is hard-cut.
        Assert.Equal(["中文中文", "Window", "s"], AnchorChunks("中文中文Windows", 6));
    }

    [Fact]
    public void A_5000_character_sentence_is_cut_at_the_size_limit_on_word_boundaries()
    {
        // 714 words "abcdef " (7 characters each) and "z.": 5,000 characters, one sentence.
        var sentence = string.Concat(Enumerable.Repeat("abcdef ", 714)) + "z.";
        Assert.Equal(5000, sentence.Length);
        static string Words(int n) => string.Concat(Enumerable.Repeat("abcdef ", n));

        // Anchor, max 200: offset 200 is inside the 29th word, so each cut backs off to 196 = 28 words;
        // 25 chunks of 196 characters, then the remaining 14 words and "z." (100 characters).
        string[] anchor = [.. Enumerable.Repeat(Words(28), 25), Words(14) + "z."];
        Assert.Equal(anchor, AnchorChunks(sentence, 200));

        // Structured, service defaults (max 400): each cut backs off to 399 = 57 words; 12 chunks (trimmed), then
        // the remaining 30 words and "z.". No overlap: the previous chunk's last piece is longer than the 50-character overlap.
        var structured = new StructuredChunker(new ChunkingOptions()).Chunk(Doc(new DocumentBlock(BlockKind.Paragraph, sentence)));
        string[] expected = [.. Enumerable.Repeat(Words(57).TrimEnd(), 12), Words(30) + "z."];
        Assert.Equal(expected, structured.Select(c => c.Text));
    }

    private static List<string> AnchorChunks(string text, int max) => SentencePackChunker.Cut(text, max).Select(c => text[c.Start..c.End]).ToList();

    [Fact]
    public void Structured_chunks_carry_heading_paths_and_start_at_sections()
    {
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 200, Overlap = 0, MinSectionSize = 10 });
        var chunks = chunker.Chunk(Doc(
            new DocumentBlock(BlockKind.Heading, "手册", 1),
            new DocumentBlock(BlockKind.Heading, "安装", 2),
            new DocumentBlock(BlockKind.Paragraph, "把设备放在平整的台面上，接通电源后等待指示灯变绿。"),
            new DocumentBlock(BlockKind.Heading, "清洁", 2),
            new DocumentBlock(BlockKind.Paragraph, "每次使用后用湿布擦拭门板，不要使用钢丝球。")));

        Assert.Equal(2, chunks.Count);
        Assert.Equal(["手册", "安装"], chunks[0].HeadingPath);
        Assert.StartsWith("手册\n安装", chunks[0].Text);
        Assert.Equal(["手册", "清洁"], chunks[1].HeadingPath);
        Assert.Contains("钢丝球", chunks[1].Text);
        Assert.DoesNotContain("指示灯", chunks[1].Text);
    }

    [Fact]
    public void A_tiny_section_merged_into_the_next_lists_every_heading_it_contains()
    {
        // The chunk holds 11 characters ("手册\n安装\n放平。\n\n") when "清洁" starts and 20 when "保修" starts, both below
        // MinSectionSize 40: both sections join the first chunk.
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 200, Overlap = 0, MinSectionSize = 40 });
        var chunks = chunker.Chunk(Doc(
            new DocumentBlock(BlockKind.Heading, "手册", 1),
            new DocumentBlock(BlockKind.Heading, "安装", 2),
            new DocumentBlock(BlockKind.Paragraph, "放平。"),
            new DocumentBlock(BlockKind.Heading, "清洁", 2),
            new DocumentBlock(BlockKind.Paragraph, "用湿布。"),
            new DocumentBlock(BlockKind.Heading, "保修", 2),
            new DocumentBlock(BlockKind.Paragraph, "整机保修一年，易损件保修三个月，人为损坏不在保修范围之内。")));

        Assert.Single(chunks);
        Assert.Equal(["手册", "安装", "清洁", "保修"], chunks[0].HeadingPath);
    }

    [Fact]
    public void Long_sections_are_packed_by_sentence_within_the_size_with_overlap()
    {
        var sentences = Enumerable.Range(1, 30).Select(i => $"这是第{i}句话，用来测试分块。").ToList();
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 60, Overlap = 20 });
        var chunks = chunker.Chunk(Doc(new DocumentBlock(BlockKind.Paragraph, string.Concat(sentences))));

        Assert.True(chunks.Count > 5);
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 60, $"{c.Text.Length}: {c.Text}"));
        Assert.All(chunks, c => Assert.EndsWith("。", c.Text));
        // Overlap: each chunk after the first starts with the last sentence of the previous one.
        for (var i = 1; i < chunks.Count; i++)
        {
            var previousLast = chunks[i - 1].Text.Split('。', StringSplitOptions.RemoveEmptyEntries)[^1] + "。";
            Assert.StartsWith(previousLast, chunks[i].Text);
        }

        Assert.All(sentences, s => Assert.Contains(chunks, c => c.Text.Contains(s, StringComparison.Ordinal)));
    }

    [Fact]
    public void Tables_stay_whole_when_they_fit_and_repeat_the_header_when_split()
    {
        var small = "型号 | 功率\nAB-9000 | 6kW\nAB-5000 | 3kW";
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 80, Overlap = 0 });
        var chunks = chunker.Chunk(Doc(new DocumentBlock(BlockKind.Paragraph, "前言。"), new DocumentBlock(BlockKind.Table, small)));
        Assert.Contains(chunks, c => c.Text.Contains(small, StringComparison.Ordinal));

        var rows = string.Join("\n", Enumerable.Range(1, 20).Select(i => $"AB-{i:0000} | {i}kW"));
        var big = "型号 | 功率\n" + rows;
        var parts = chunker.Chunk(Doc(new DocumentBlock(BlockKind.Table, big)));
        Assert.True(parts.Count > 1);
        Assert.All(parts, p => Assert.StartsWith("型号 | 功率", p.Text));
        Assert.All(parts, p => Assert.True(p.Text.Length <= 80));
        Assert.All(Enumerable.Range(1, 20), i => Assert.Contains(parts, p => p.Text.Contains($"AB-{i:0000} | {i}kW", StringComparison.Ordinal)));
    }

    [Fact]
    public void Chunks_carry_the_page_where_they_start()
    {
        // Small pages that would fit in one chunk still start their own: a chunk's page is its citation.
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 400, Overlap = 50 });
        var chunks = chunker.Chunk(Doc(
            new DocumentBlock(BlockKind.Paragraph, "第一页的内容在这里，讲的是安装步骤。", Page: 1),
            new DocumentBlock(BlockKind.Paragraph, "第一页的第二段。", Page: 1),
            new DocumentBlock(BlockKind.Paragraph, "第二页的内容在这里，讲的是维护保养。", Page: 2)));
        Assert.Equal([1, 2], chunks.Select(c => c.Page ?? 0).ToArray());
        Assert.DoesNotContain("第二页", chunks[0].Text);
        Assert.DoesNotContain("第一页", chunks[1].Text);
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(100, 50)]
    [InlineData(100, -1)]
    public void Invalid_options_are_refused(int size, int overlap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new StructuredChunker(new ChunkingOptions { MaxSize = size, Overlap = overlap }));
    }
}
