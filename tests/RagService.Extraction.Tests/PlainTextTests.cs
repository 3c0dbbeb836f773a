using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Tests;

public class PlainTextTests
{
    private const string Chinese = "知识库的第一段：退货政策规定，顾客在收到商品后七天内可以申请退货。\n\n第二段：我们的客服电话是工作日上午九点到下午六点。";
    private const string Traditional = "知識庫的第一段：退貨政策規定，顧客在收到商品後七天內可以申請退貨。\n\n第二段：我們的客服電話是工作日上午九點到下午六點。";

    private static Task<ExtractedDocument> Extract(byte[] bytes, string? name = "notes.txt", string? contentType = null) =>
        new DocumentExtractor().ExtractAsync(bytes, name, contentType, CancellationToken.None);

    [Fact]
    public async Task Gbk_file_without_declaration_is_detected_and_split_into_paragraphs()
    {
        var doc = await Extract(Encodings.Gbk.GetBytes(Chinese));

        Assert.Equal("text", doc.Format);
        Assert.Equal(2, doc.Blocks.Count);
        Assert.All(doc.Blocks, b => Assert.Equal(BlockKind.Paragraph, b.Kind));
        Assert.StartsWith("知识库的第一段", doc.Blocks[0].Text);
        Assert.Contains("客服电话", doc.Blocks[1].Text);
    }

    [Fact]
    public async Task Big5_file_is_detected_as_traditional_chinese()
    {
        var doc = await Extract(Encodings.Big5.GetBytes(Traditional));

        Assert.Equal(Traditional, doc.FullText);
    }

    [Fact]
    public async Task Gb18030_only_characters_survive()
    {
        // U+20000 (an extension B ideograph) exists in GB18030 but not in GBK.
        var text = "罕见字𠀀出现在这一句话里面，其余都是常见的中文字符。";
        var doc = await Extract(Encodings.Gb18030.GetBytes(text));

        Assert.Equal(text, doc.FullText);
    }

    [Theory]
    [InlineData("utf-8")]
    [InlineData("utf-16le")]
    [InlineData("utf-16be")]
    public async Task Byte_order_marks_select_the_encoding(string name)
    {
        var encoding = name switch
        {
            "utf-8" => (Encoding)new UTF8Encoding(true),
            "utf-16le" => new UnicodeEncoding(false, true),
            _ => new UnicodeEncoding(true, true),
        };
        var bytes = encoding.GetPreamble().Concat(encoding.GetBytes(Chinese)).ToArray();

        var doc = await Extract(bytes);

        Assert.Equal(Chinese, doc.FullText);
    }

    [Fact]
    public async Task Utf8_without_bom_is_read_as_utf8()
    {
        var doc = await Extract(Encoding.UTF8.GetBytes("Café — naïve résumé\r\nsecond line"));

        Assert.Equal("Café — naïve résumé\nsecond line", doc.Blocks.Single().Text);
    }

    [Fact]
    public async Task Declared_charset_is_used_for_non_utf8_bytes()
    {
        var text = "Grüße aus Köln, schöne Straße";
        var doc = await Extract(Encoding.Latin1.GetBytes(text), "a.txt", "text/plain; charset=iso-8859-1");

        Assert.Equal(text, doc.FullText);
    }

    [Theory]
    [InlineData("Café résumé, naïve “quotes” and Straße – ½ price")]
    [InlineData("Crème brûlée délicieuse")] // every accented byte pairs with the next letter into a valid GBK/Big5 character
    public async Task Undeclared_windows_1252_is_not_mistaken_for_chinese(string text)
    {
        var doc = await Extract(Encodings.Windows1252.GetBytes(text));

        Assert.Equal(text, doc.FullText);
    }

    [Fact]
    public async Task Whitespace_only_text_is_unreadable()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => Extract("  \n\n \t\n"u8.ToArray()));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("No text", ex.Message);
    }

    [Fact]
    public async Task A_first_line_that_looks_like_a_title_titles_the_document()
    {
        var doc = await Extract(Encoding.UTF8.GetBytes("退货政策\n\n顾客在收到商品后七天内可以申请退货。"));

        Assert.Equal("退货政策", doc.Title);
        Assert.Equal(new DocumentBlock(BlockKind.Heading, "退货政策", 1), doc.Blocks[0]);
        Assert.Equal(BlockKind.Paragraph, doc.Blocks[1].Kind);
    }

    [Theory]
    [InlineData("顾客在收到商品后七天内可以申请退货。\n\n第二段。")]      // ends like a sentence
    [InlineData("Opening hours\nMonday to Friday\n\nClosed on Sunday")] // two lines: not a lone title line
    [InlineData("Opening hours")]                                          // nothing after it: the whole text, not a title
    public async Task Otherwise_the_file_name_titles_the_document(string text)
    {
        var doc = await Extract(Encoding.UTF8.GetBytes(text), "shop-notes.txt");

        Assert.Equal("shop-notes", doc.Title);
        Assert.DoesNotContain(doc.Blocks, b => b.Kind == BlockKind.Heading);
    }

    [Fact]
    public void A_title_line_has_at_most_80_characters()
    {
        Assert.True(Text.TitleLine.LooksLikeTitle(new string('标', 80)));
        Assert.False(Text.TitleLine.LooksLikeTitle(new string('标', 81)));
    }
}
