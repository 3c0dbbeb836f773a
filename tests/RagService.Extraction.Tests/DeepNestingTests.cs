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
        // Deeply nested <div>s make the HTML tree builder quadratic (100 000 of them: minutes of CPU). Rather than race a
        // real clock, the parse timeout's clock has already run out when the parse starts: the parse must stop on it.
        // 1 000 levels parse in about a second, so a parser that ignored the timeout would return a document instead.
        var options = new ExtractionOptions { ParseTimeout = TimeSpan.FromSeconds(1) };
        var extractor = new DocumentExtractor(options, [new Html.HtmlExtractor(options, new TimeAlreadyUp())]);

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(Nested("<div>", "</div>", 1_000), "page.html", null, CancellationToken.None));

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

    /// <summary>A clock on which every timer is already due: its callback runs as soon as it is created.</summary>
    private sealed class TimeAlreadyUp : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            callback(state);
            return new NoTimer();
        }

        private sealed class NoTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    private static byte[] Nested(string open, string close, int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(open);
        }

        text.Append("deep text");
        for (var i = 0; i < depth; i++)
        {
            text.Append(close);
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}
