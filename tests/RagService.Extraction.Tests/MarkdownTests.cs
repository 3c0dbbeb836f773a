using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Tests;

public class MarkdownTests
{
    private const string Manual = """
        ---
        author: ops
        ---
        # 设备手册 XYZ-123

        Intro paragraph with **bold** and a [link text](https://example.com)
        wrapped onto a second line.

        ## 安装步骤

        1. 打开包装
        2. 连接电源
           - 检查指示灯

        ```bash
        sudo systemctl restart xyz
        echo done
        ```

        | 型号 | 功率 |
        |------|------|
        | AB-9000 | 120W |
        | AB-9100 | 150W |

        ### Notes

        > Quoted warning text.
        """;

    private static Task<ExtractedDocument> Extract(string markdown, string name = "manual.md") =>
        new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(markdown), name, null, CancellationToken.None);

    [Fact]
    public async Task Structure_is_kept_in_reading_order()
    {
        var doc = await Extract(Manual);

        Assert.Equal("markdown", doc.Format);
        Assert.Equal("设备手册 XYZ-123", doc.Title);
        var expected = new (BlockKind Kind, string Text, int Level)[]
        {
            (BlockKind.Heading, "设备手册 XYZ-123", 1),
            (BlockKind.Paragraph, "Intro paragraph with bold and a link text wrapped onto a second line.", 0),
            (BlockKind.Heading, "安装步骤", 2),
            (BlockKind.ListItem, "打开包装", 0),
            (BlockKind.ListItem, "连接电源", 0),
            (BlockKind.ListItem, "检查指示灯", 0),
            (BlockKind.Code, "sudo systemctl restart xyz\necho done", 0),
            (BlockKind.Table, "型号 | 功率\nAB-9000 | 120W\nAB-9100 | 150W", 0),
            (BlockKind.Heading, "Notes", 3),
            (BlockKind.Paragraph, "Quoted warning text.", 0),
        };
        Assert.Equal(expected, doc.Blocks.Select(b => (b.Kind, b.Text, b.HeadingLevel)).ToArray());
        Assert.All(doc.Blocks, b => Assert.Null(b.Page));
    }

    [Fact]
    public async Task Front_matter_is_not_content()
    {
        var doc = await Extract(Manual);

        Assert.DoesNotContain(doc.Blocks, b => b.Text.Contains("author"));
    }

    [Fact]
    public async Task Soft_line_breaks_inside_chinese_paragraph_leave_no_space()
    {
        var doc = await Extract("第一行文字\n第二行文字");

        Assert.Equal("第一行文字第二行文字", doc.Blocks.Single().Text);
    }

    [Fact]
    public async Task Markdown_content_type_selects_markdown_without_extension()
    {
        var doc = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes("# Title\n\nBody"), null, "text/markdown", CancellationToken.None);

        Assert.Equal("markdown", doc.Format);
        Assert.Equal(BlockKind.Heading, doc.Blocks[0].Kind);
    }

    [Fact]
    public async Task Without_markdown_hint_the_same_bytes_are_plain_text()
    {
        var doc = await new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes("# Title\n\nBody"), "notes.txt", null, CancellationToken.None);

        Assert.Equal("text", doc.Format);
        Assert.Equal("# Title", doc.Blocks[0].Text);
    }

    [Fact]
    public async Task Blocks_inside_list_items_keep_their_kind()
    {
        var doc = await Extract("- Step one\n\n  ```\n  make install\n  ```\n- Step two\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n");

        Assert.Equal(
            [(BlockKind.ListItem, "Step one"), (BlockKind.Code, "make install"), (BlockKind.ListItem, "Step two"), (BlockKind.Table, "a | b\n1 | 2")],
            doc.Blocks.Select(b => (b.Kind, b.Text)).ToArray());
    }
}
