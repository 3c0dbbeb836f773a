using RagService.Core.Chunking;
using RagService.Core.Documents;

namespace RagService.Core.Tests;

/// <summary>
/// Where the structured chunker cuts, at the edges of each of its limits (section size, overlap, chunk size, page,
/// table rows), with every chunk's text and heading path written out by hand. CJK sentences of ten characters keep the
/// arithmetic simple; a paragraph's closing "\n\n" counts toward the size (and alone makes no chunk).
/// </summary>
public sealed class StructuredChunkerBoundaryTests
{
    private static ExtractedDocument Doc(params DocumentBlock[] blocks) => new("t", blocks, "text");

    private static DocumentBlock H(string text, int level = 1, int? page = null) => new(BlockKind.Heading, text, level, page);

    private static DocumentBlock P(string text, int? page = null) => new(BlockKind.Paragraph, text, 0, page);

    private static List<Chunk> Cut(ChunkingOptions options, params DocumentBlock[] blocks) => new StructuredChunker(options).Chunk(Doc(blocks)).ToList();

    [Fact]
    public void A_section_of_exactly_min_section_size_stands_alone_one_character_less_joins_the_next()
    {
        // "A\n" (2) + 36 letters + "\n\n" (2) = 40 = MinSectionSize: B starts a new chunk. With 35 letters (39) it joins.
        var options = new ChunkingOptions { MaxSize = 100, Overlap = 0, MinSectionSize = 40 };
        var alone = Cut(options, H("A"), P(new string('a', 36)), H("B"), P("b"));
        Assert.Equal(["A\n" + new string('a', 36), "B\nb"], alone.Select(c => c.Text));
        Assert.Equal([["A"], ["B"]], alone.Select(c => c.HeadingPath));
        Assert.Equal([0, 1], alone.Select(c => c.Ordinal));

        var joined = Cut(options, H("A"), P(new string('a', 35)), H("B"), P("b"));
        Assert.Equal("A\n" + new string('a', 35) + "\n\nB\nb", joined.Single().Text);
        Assert.Equal(["A", "B"], joined.Single().HeadingPath);
    }

    [Fact]
    public void A_subheading_nests_under_its_parent_and_a_same_level_heading_replaces_it()
    {
        var options = new ChunkingOptions { MaxSize = 100, Overlap = 0, MinSectionSize = 1 };
        var chunks = Cut(options, H("Top", 1), H("Sub", 2), P("x"), H("Sub2", 2), P("y"), H("Next", 1), P("z"), H("Zero", 0), P("w"));
        Assert.Equal([["Top", "Sub"], ["Top", "Sub2"], ["Next"], ["Zero"]], chunks.Select(c => c.HeadingPath));
        Assert.Equal(["Top\nSub\nx", "Sub2\ny", "Next\nz", "Zero\nw"], chunks.Select(c => c.Text));
    }

    [Fact]
    public void Overlap_repeats_whole_trailing_sentences_up_to_exactly_its_size()
    {
        // Sentences of 10 characters and the paragraph's "\n\n", MaxSize 25.
        const string s1 = "甲甲甲甲甲甲甲甲甲。", s2 = "乙乙乙乙乙乙乙乙乙。", s3 = "丙丙丙丙丙丙丙丙丙。", s4 = "丁丁丁丁丁丁丁丁丁。";
        var paragraph = P(s1 + s2 + s3 + s4);

        // Overlap 10: the previous chunk's last sentence (10) fits exactly.
        var overlapping = Cut(new ChunkingOptions { MaxSize = 25, Overlap = 10 }, paragraph);
        Assert.Equal([s1 + s2, s2 + s3, s3 + s4], overlapping.Select(c => c.Text));

        // Overlap 9: no whole sentence fits, so nothing repeats.
        var plain = Cut(new ChunkingOptions { MaxSize = 25, Overlap = 9 }, paragraph);
        Assert.Equal([s1 + s2, s3 + s4], plain.Select(c => c.Text));
    }

    [Fact]
    public void A_chunk_fills_up_to_exactly_max_size()
    {
        // Three sentences of 7: 21 = MaxSize is one chunk; MaxSize 20 holds two sentences.
        const string text = "甲甲甲甲甲甲。乙乙乙乙乙乙。丙丙丙丙丙丙。";
        Assert.Equal([text], Cut(new ChunkingOptions { MaxSize = 21, Overlap = 0 }, P(text)).Select(c => c.Text));
        Assert.Equal(["甲甲甲甲甲甲。乙乙乙乙乙乙。", "丙丙丙丙丙丙。"], Cut(new ChunkingOptions { MaxSize = 20, Overlap = 0 }, P(text)).Select(c => c.Text));
    }

    [Fact]
    public void A_new_page_starts_a_new_chunk_with_that_page()
    {
        var options = new ChunkingOptions { MaxSize = 100, Overlap = 0 };
        var chunks = Cut(options, P("one", page: 1), P("two", page: 1), P("three", page: 2), P("four"), P("five", page: 3));
        Assert.Equal(["one\n\ntwo", "three\n\nfour", "five"], chunks.Select(c => c.Text));
        Assert.Equal([1, 2, 3], chunks.Select(c => c.Page));

        // A heading on page 4 over a paragraph without a page: the chunk starts on page 4.
        Assert.Equal(4, Cut(options, H("Title", 1, page: 4), P("body")).Single().Page);
    }

    [Fact]
    public void A_heading_at_the_foot_of_a_page_stays_with_its_paragraph_on_the_next_page()
    {
        var chunk = Cut(new ChunkingOptions { MaxSize = 100, Overlap = 0 }, H("Title", 1, page: 1), P("body", page: 2)).Single();
        Assert.Equal("Title\nbody", chunk.Text);
        Assert.Equal(1, chunk.Page);
    }

    [Fact]
    public void A_table_too_big_for_one_chunk_is_split_between_rows_repeating_its_header_and_code_is_not()
    {
        // Lines of 4 ("H|H\n") and 14 characters: header + one row = 18, a second row would make 32 > MaxSize 30.
        const string table = "H|H\nr1|aaaaaaaaaa\nr2|bbbbbbbbbb\nr3|cccccccccc";
        var options = new ChunkingOptions { MaxSize = 30, Overlap = 0 };
        Assert.Equal(["H|H\nr1|aaaaaaaaaa", "H|H\nr2|bbbbbbbbbb", "H|H\nr3|cccccccccc"],
            Cut(options, new DocumentBlock(BlockKind.Table, table)).Select(c => c.Text));
        // Code repeats no header: 14 + 14 = 28 rows fit together.
        Assert.Equal(["H|H\nr1|aaaaaaaaaa", "r2|bbbbbbbbbb\nr3|cccccccccc"],
            Cut(options, new DocumentBlock(BlockKind.Code, table)).Select(c => c.Text));
        // The paragraph before a split table is its own chunk.
        Assert.Equal(["intro", "H|H\nr1|aaaaaaaaaa"], Cut(options, P("intro"), new DocumentBlock(BlockKind.Table, table)).Take(2).Select(c => c.Text));
    }

    [Fact]
    public void A_table_that_fits_joins_the_chunk_when_there_is_room_and_starts_a_new_one_when_not()
    {
        // "intro\n\n" (7) + "a|b\nc|d\n\n" (9) = 16 <= 20; "introduction\n\n" (14) + 9 = 23 > 20.
        var options = new ChunkingOptions { MaxSize = 20, Overlap = 0 };
        Assert.Equal(["intro\n\na|b\nc|d"], Cut(options, P("intro"), new DocumentBlock(BlockKind.Table, "a|b\nc|d")).Select(c => c.Text));
        Assert.Equal(["introduction", "a|b\nc|d"], Cut(options, P("introduction"), new DocumentBlock(BlockKind.Table, "a|b\nc|d")).Select(c => c.Text));
    }

    [Fact]
    public void List_items_stay_together_line_by_line()
    {
        var options = new ChunkingOptions { MaxSize = 100, Overlap = 0 };
        var chunk = Cut(options, new DocumentBlock(BlockKind.ListItem, "- one"), new DocumentBlock(BlockKind.ListItem, "- two"), P("after")).Single();
        Assert.Equal("- one\n- two\nafter", chunk.Text);
    }

    [Fact]
    public void A_word_longer_than_a_chunk_is_cut_by_the_measure_scaled_to_characters()
    {
        // Two tokens per character, MaxSize 20 tokens: pieces of 10 characters.
        var chunker = new StructuredChunker(new ChunkingOptions { MaxSize = 20, Overlap = 0 }, s => 2 * s.Length);
        var chunks = chunker.Chunk(Doc(P(new string('x', 30))));
        Assert.Equal([new string('x', 10), new string('x', 10), new string('x', 10)], chunks.Select(c => c.Text));
    }

    [Fact]
    public void Headings_alone_and_blank_blocks_make_no_chunk()
    {
        var options = new ChunkingOptions { MaxSize = 100, Overlap = 0 };
        Assert.Empty(Cut(options, H("Only a heading"), P("   ")));
        Assert.Equal(["Title\nbody"], Cut(options, H("Title"), P(" \n "), P("body")).Select(c => c.Text));
    }
}
