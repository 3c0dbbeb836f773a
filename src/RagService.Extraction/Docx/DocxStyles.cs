using System.Text.RegularExpressions;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.Extraction.Docx;

/// <summary>What a paragraph style means for structure: heading level, list, title. Follows the basedOn chain.</summary>
internal sealed partial class DocxStyles
{
    private readonly Dictionary<string, W.Style> _styles;

    public DocxStyles(W.Styles? styles)
    {
        _styles = new Dictionary<string, W.Style>(StringComparer.OrdinalIgnoreCase);
        foreach (var style in styles?.Elements<W.Style>() ?? [])
        {
            if (style.StyleId?.Value is { } id)
            {
                _styles.TryAdd(id, style);
            }
        }
    }

    // Built-in names are "heading 1".."heading 9" in every UI language; some Chinese editors name them "标题 1".
    [GeneratedRegex(@"^(heading|标题)\s*([1-9])$", RegexOptions.IgnoreCase)]
    private static partial Regex HeadingName();

    /// <summary>1..9 when the style (or a style it is based on) is a heading, else 0.</summary>
    public int HeadingLevel(string? styleId)
    {
        for (var (style, depth) = (Find(styleId), 0); style is not null && depth < 16; style = Find(style.BasedOn?.Val?.Value), depth++)
        {
            foreach (var name in new[] { style.StyleName?.Val?.Value, style.StyleId?.Value })
            {
                if (name is not null && HeadingName().Match(name.Trim()) is { Success: true } m)
                {
                    return m.Groups[2].Value[0] - '0';
                }
            }
            if (style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is int outline and < 9)
            {
                return outline + 1;
            }
        }
        return 0;
    }

    public bool IsTitle(string? styleId) =>
        Find(styleId) is { } style
        && (style.StyleName?.Val?.Value ?? style.StyleId?.Value) is { } name
        && (name.Equals("title", StringComparison.OrdinalIgnoreCase) || name == "标题");

    public bool IsList(string? styleId)
    {
        for (var (style, depth) = (Find(styleId), 0); style is not null && depth < 16; style = Find(style.BasedOn?.Val?.Value), depth++)
        {
            if (style.StyleParagraphProperties?.NumberingProperties?.NumberingId?.Val?.Value is > 0)
            {
                return true;
            }
        }
        return false;
    }

    private W.Style? Find(string? id) => id is not null && _styles.TryGetValue(id, out var s) ? s : null;
}
