using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Tests;

public class DeepNestingTests
{
    [Theory]
    [InlineData("<div>", "</div>")]
    [InlineData("<span>", "</span>")]
    public async Task Nested_html_is_read(string open, string close)
    {
        var doc = await new DocumentExtractor().ExtractAsync(Nested(open, close, 1000), "page.html", null, CancellationToken.None);

        Assert.Contains("deep text", doc.FullText);
    }

    [Fact]
    public async Task Hostile_html_nesting_is_bounded_by_parse_timeout()
    {
        // 100 000 nested <div>s make the HTML tree builder quadratic: minutes of CPU without the bound.
        var extractor = new DocumentExtractor(new ExtractionOptions { ParseTimeout = TimeSpan.FromSeconds(1) });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(Nested("<div>", "</div>", 100_000), "page.html", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TimedOut, ex.Failure);
        Assert.Contains("ParseTimeout", ex.Message);
    }

    [Fact]
    public async Task Hostile_markdown_nesting_is_refused_cleanly()
    {
        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(Nested("> ", "", 100_000), "notes.md", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("nested", ex.Message);
    }

    private static byte[] Nested(string open, string close, int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
            text.Append(open);
        text.Append("deep text");
        for (var i = 0; i < depth; i++)
            text.Append(close);
        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
