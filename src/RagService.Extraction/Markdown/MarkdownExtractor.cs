using System.Text;
using System.Text.RegularExpressions;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction.Markdown;

/// <summary>Markdown via Markdig: headings, paragraphs, list items, fenced/indented code and pipe/grid tables. Title = first H1.</summary>
public sealed partial class MarkdownExtractor(ExtractionOptions options) : IFormatExtractor
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseGridTables()
        .UseYamlFrontMatter()
        .Build();

    [GeneratedRegex("<[^>]*>")]
    private static partial Regex Tag();

    public SourceFormat Format => SourceFormat.Markdown;

    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        var text = sniffed.Text?.Text ?? throw new InvalidOperationException("Markdown extraction needs the decoded text.");
        MarkdownDocument document;
        try
        {
            // Markdig cannot be cancelled: on timeout the caller gets its answer and the parse finishes in the background.
            document = await Task.Run(() => Markdig.Markdown.Parse(text, Pipeline), CancellationToken.None)
                .WaitAsync(options.ParseTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw Html.HtmlExtractor.ParseTimedOut(options.ParseTimeout);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("nested", StringComparison.Ordinal))
        {
            throw new ExtractionException("The Markdown is nested too deeply to be read (lists or quotes thousands of levels deep).", ExtractionFailure.Unreadable, ex);
        }
        var blocks = new List<DocumentBlock>();
        Walk(document, blocks);
        var title = blocks.FirstOrDefault(b => b is { Kind: BlockKind.Heading, HeadingLevel: 1 })?.Text;
        return new ExtractedDocument(title, blocks, "markdown");
    }

    private static void Walk(ContainerBlock container, List<DocumentBlock> blocks)
    {
        foreach (var block in container)
        {
            Visit(block, blocks);
        }
    }

    private static void Visit(Block block, List<DocumentBlock> blocks)
    {
        switch (block)
        {
            case HeadingBlock heading:
                Add(blocks, BlockKind.Heading, InlineText(heading.Inline), Math.Clamp(heading.Level, 1, 6));
                break;
            case ParagraphBlock paragraph:
                Add(blocks, BlockKind.Paragraph, InlineText(paragraph.Inline));
                break;
            case Table table:
                Add(blocks, BlockKind.Table, TableText(table));
                break;
            case ListBlock list:
                WalkList(list, blocks);
                break;
            case YamlFrontMatterBlock:
                break;
            case CodeBlock code:
                Add(blocks, BlockKind.Code, code.Lines.ToString().TrimEnd());
                break;
            case HtmlBlock html:
                Add(blocks, BlockKind.Paragraph, CjkText.CollapseWhitespace(System.Net.WebUtility.HtmlDecode(Tag().Replace(html.Lines.ToString(), " "))));
                break;
            case LinkReferenceDefinitionGroup:
                break;
            case ContainerBlock inner:
                Walk(inner, blocks);
                break;
        }
    }

    // Each item becomes one ListItem with the text of its own paragraphs; nested lists and code follow as their own blocks.
    private static void WalkList(ListBlock list, List<DocumentBlock> blocks)
    {
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var own = item.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline)).Where(t => t.Length > 0);
            Add(blocks, BlockKind.ListItem, string.Join(' ', own));
            foreach (var child in item.Where(b => b is not ParagraphBlock))
            {
                Visit(child, blocks);
            }
        }
    }

    private static string TableText(Table table) =>
        string.Join('\n', table.OfType<TableRow>().Select(row =>
            string.Join(" | ", row.OfType<TableCell>().Select(cell =>
                string.Join(' ', cell.OfType<ParagraphBlock>().Select(p => InlineText(p.Inline)))))));

    private static void Add(List<DocumentBlock> blocks, BlockKind kind, string text, int level = 0)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            blocks.Add(new DocumentBlock(kind, text, level));
        }
    }

    private static string InlineText(ContainerInline? inline)
    {
        if (inline is null)
        {
            return "";
        }

        var sb = new StringBuilder();
        AppendInline(inline, sb);
        return CjkText.CollapseWhitespace(sb.ToString());
    }

    private static void AppendInline(Inline inline, StringBuilder sb)
    {
        switch (inline)
        {
            case LiteralInline literal:
                sb.Append(literal.Content.ToString());
                break;
            case CodeInline code:
                sb.Append(code.Content);
                break;
            case HtmlEntityInline entity:
                sb.Append(entity.Transcoded.ToString());
                break;
            case AutolinkInline link:
                sb.Append(link.Url);
                break;
            case LineBreakInline:
                sb.Append('\n');
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(child, sb);
                }

                break;
        }
    }
}
