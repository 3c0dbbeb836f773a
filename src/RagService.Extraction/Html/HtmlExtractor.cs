using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction.Html;

/// <summary>
/// HTML via AngleSharp: keeps the main content (the &lt;main&gt; or single &lt;article&gt; when present), drops navigation,
/// scripts, styles, forms and page chrome; yields headings, paragraphs, list items, tables and &lt;pre&gt; code.
/// </summary>
/// <param name="time">Clock of the parse timeout; tests pass one they control.</param>
public sealed class HtmlExtractor(ExtractionOptions options, TimeProvider? time = null) : IFormatExtractor
{
    public SourceFormat Format => SourceFormat.Html;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        var text = sniffed.Text?.Text ?? throw new InvalidOperationException("HTML extraction needs the decoded text.");
        using var timeout = new CancellationTokenSource(options.ParseTimeout, time ?? TimeProvider.System);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        IHtmlDocument document;
        try
        {
            document = await new HtmlParser().ParseDocumentAsync(text, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw ParseTimedOut(options.ParseTimeout);
        }

        var root = MainContent(document);
        var keepChrome = root.LocalName is "main" or "article" || root.GetAttribute("role") == "main";
        var blocks = new HtmlBlockWriter(keepChrome).Write(root);

        var title = CjkText.CollapseWhitespace(document.Title ?? "");
        if (title.Length == 0)
        {
            title = blocks.FirstOrDefault(b => b is { Kind: BlockKind.Heading, HeadingLevel: 1 })?.Text ?? "";
        }

        return new ExtractedDocument(title.Length > 0 ? title : null, blocks, "html");
    }

    internal static ExtractionException ParseTimedOut(TimeSpan timeout) =>
        new($"Parsing did not finish within {timeout.TotalSeconds:0.#} s (Extraction:ParseTimeout); the document is nested too deeply or is too large.", ExtractionFailure.TimedOut);

    private static IElement MainContent(IHtmlDocument document)
    {
        var main = document.QuerySelector("main, [role=main]");
        if (main is not null)
        {
            return main;
        }

        var articles = document.QuerySelectorAll("article");
        if (articles.Length == 1)
        {
            return articles[0];
        }

        return (IElement?)document.Body ?? document.DocumentElement;
    }
}
