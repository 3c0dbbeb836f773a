using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Tests;

public class HtmlTests
{
    private const string Page = """
        <!DOCTYPE html>
        <html lang="zh">
        <head>
          <meta charset="utf-8">
          <title>退货政策 | 示例商城</title>
          <style>body { color: red; }</style>
          <script>var tracking = "SECRET-TRACKER";</script>
        </head>
        <body>
          <header><a href="/">示例商城首页</a> <a href="/login">登录</a></header>
          <nav><ul><li><a href="/a">导航一</a></li><li>导航二</li></ul></nav>
          <main>
            <h1>退货政策</h1>
            <p>顾客可以在收到商品后
               <strong>七天内</strong>申请退货，详见 <a href="/faq">常见问题</a>。</p>
            <h2>Refund steps</h2>
            <ol>
              <li>Open the <em>orders</em> page</li>
              <li><p>Click refund</p></li>
            </ol>
            <table>
              <thead><tr><th>商品类别</th><th>退货期限</th></tr></thead>
              <tbody>
                <tr><td>电子产品</td><td>7 天</td></tr>
                <tr><td>服装</td><td>30 天</td></tr>
              </tbody>
            </table>
            <pre><code>POST /v1/refunds
        {"order": "AB-9000"}</code></pre>
            <div>Loose text in a div <span>with a span</span></div>
            <form><input name="q"><button>搜索</button></form>
          </main>
          <aside>相关推荐：热门商品</aside>
          <footer>版权所有 © 2026 示例商城</footer>
          <noscript>请启用 JavaScript</noscript>
        </body>
        </html>
        """;

    private static Task<ExtractedDocument> Extract(string html, string? name = "page.html") =>
        new DocumentExtractor().ExtractAsync(Encoding.UTF8.GetBytes(html), name, null, CancellationToken.None);

    [Fact]
    public async Task Main_content_is_kept_with_structure()
    {
        var doc = await Extract(Page);

        Assert.Equal("html", doc.Format);
        Assert.Equal("退货政策 | 示例商城", doc.Title);
        var expected = new (BlockKind, string, int)[]
        {
            (BlockKind.Heading, "退货政策", 1),
            (BlockKind.Paragraph, "顾客可以在收到商品后七天内申请退货，详见 常见问题。", 0),
            (BlockKind.Heading, "Refund steps", 2),
            (BlockKind.ListItem, "Open the orders page", 0),
            (BlockKind.ListItem, "Click refund", 0),
            (BlockKind.Table, "商品类别 | 退货期限\n电子产品 | 7 天\n服装 | 30 天", 0),
            (BlockKind.Code, "POST /v1/refunds\n{\"order\": \"AB-9000\"}", 0),
            (BlockKind.Paragraph, "Loose text in a div with a span", 0),
        };
        Assert.Equal(expected, doc.Blocks.Select(b => (b.Kind, b.Text, b.HeadingLevel)).ToArray());
    }

    [Theory]
    [InlineData("SECRET-TRACKER")]
    [InlineData("color: red")]
    [InlineData("导航")]
    [InlineData("登录")]
    [InlineData("热门商品")]
    [InlineData("版权所有")]
    [InlineData("JavaScript")]
    [InlineData("搜索")]
    public async Task Boilerplate_is_dropped(string boilerplate)
    {
        var doc = await Extract(Page);

        Assert.DoesNotContain(boilerplate, doc.FullText);
    }

    [Fact]
    public async Task Without_main_the_body_is_used_minus_page_chrome()
    {
        var doc = await Extract("<html><body><header>Site name</header><h1>Doc</h1><p>Body text.</p><footer>Footer</footer></body></html>", null);

        Assert.Equal("Doc", doc.Title);
        Assert.Equal("Doc\n\nBody text.", doc.FullText);
    }

    [Fact]
    public async Task Gbk_page_declared_in_meta_is_decoded()
    {
        var html = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gbk\"><title>公司简介</title></head><body><p>我们成立于二零零八年。</p></body></html>";

        var doc = await new DocumentExtractor().ExtractAsync(Encodings.Gbk.GetBytes(html), "about.htm", null, CancellationToken.None);

        Assert.Equal("公司简介", doc.Title);
        Assert.Equal("我们成立于二零零八年。", doc.FullText);
    }

    [Fact]
    public async Task Hidden_elements_are_dropped()
    {
        var doc = await Extract("<body><p>Visible</p><p hidden>Invisible</p><div aria-hidden=\"true\">Also invisible</div></body>");

        Assert.Equal("Visible", doc.FullText);
    }
}
