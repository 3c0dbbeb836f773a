using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction.Html;

/// <summary>Walks a DOM subtree and turns it into blocks; inline content is gathered until the next block boundary.</summary>
internal sealed class HtmlBlockWriter(bool keepHeaderAndFooter)
{
    private static readonly HashSet<string> Dropped =
    [
        "nav", "aside", "script", "style", "noscript", "form", "template", "svg", "iframe", "object", "embed",
        "button", "select", "textarea", "canvas", "dialog", "head", "title", "meta", "link",
    ];

    private static readonly HashSet<string> DroppedRoles = ["navigation", "banner", "contentinfo", "complementary", "search"];

    private static readonly HashSet<string> BlockElements =
    [
        "div", "section", "article", "main", "ul", "ol", "dl", "dt", "dd", "blockquote", "figure", "figcaption",
        "address", "details", "summary", "fieldset", "hr", "center", "caption", "header", "footer", "body", "html",
    ];

    private readonly List<DocumentBlock> _blocks = [];
    private readonly StringBuilder _inline = new();
    private BlockKind _pendingKind = BlockKind.Paragraph;

    public List<DocumentBlock> Write(IElement root)
    {
        WalkChildren(root);
        Flush();
        return _blocks;
    }

    private bool IsDropped(IElement e) =>
        Dropped.Contains(e.LocalName)
        || (!keepHeaderAndFooter && e.LocalName is "header" or "footer")
        || e.HasAttribute("hidden")
        || e.GetAttribute("aria-hidden") == "true"
        || DroppedRoles.Contains(e.GetAttribute("role") ?? "");

    private void WalkChildren(INode node)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                _inline.Append(text.Data);
            }
            else if (child is IElement element && !IsDropped(element))
            {
                Visit(element);
            }
        }
    }

    private void Visit(IElement e)
    {
        switch (e.LocalName)
        {
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                Flush();
                Add(BlockKind.Heading, InlineText(e), e.LocalName[1] - '0');
                break;
            case "p":
                var paragraphKind = _pendingKind;
                Flush();
                Add(paragraphKind, InlineText(e));
                _pendingKind = paragraphKind;
                break;
            case "li":
                Flush();
                _pendingKind = BlockKind.ListItem;
                WalkChildren(e);
                Flush();
                break;
            case "table":
                Flush();
                Add(BlockKind.Table, TableText((IHtmlTableElement)e));
                break;
            case "pre":
                Flush();
                Add(BlockKind.Code, e.TextContent.Replace("\r\n", "\n").Trim('\n').TrimEnd());
                break;
            case "br":
                _inline.Append('\n');
                break;
            case var tag when BlockElements.Contains(tag):
                var kind = _pendingKind;
                Flush();
                _pendingKind = kind;
                WalkChildren(e);
                Flush();
                break;
            default:
                WalkChildren(e);
                break;
        }
    }

    // Inline text of the pending block; a block element inside a list item ends the item's own text.
    private void Flush()
    {
        Add(_pendingKind, CjkText.CollapseWhitespace(_inline.ToString()));
        _inline.Clear();
        _pendingKind = BlockKind.Paragraph;
    }

    private void Add(BlockKind kind, string text, int level = 0)
    {
        if (text.Length > 0)
        {
            _blocks.Add(new DocumentBlock(kind, text, level));
        }
    }

    private string TableText(IHtmlTableElement table)
    {
        var rows = table.Rows
            .Select(row => row.Cells.Select(cell => InlineText(cell)).ToList())
            .Where(cells => cells.Any(c => c.Length > 0))
            .Select(cells => string.Join(" | ", cells));
        return string.Join('\n', rows);
    }

    private string InlineText(IElement element)
    {
        var sb = new StringBuilder();
        AppendText(element, sb);
        return CjkText.CollapseWhitespace(sb.ToString());
    }

    private void AppendText(INode node, StringBuilder sb)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText text)
            {
                sb.Append(text.Data);
            }
            else if (child is IElement element && !IsDropped(element))
            {
                if (element.LocalName is "br" or "p" or "div" or "li" or "tr")
                {
                    sb.Append(' ');
                }

                AppendText(element, sb);
            }
        }
    }
}
