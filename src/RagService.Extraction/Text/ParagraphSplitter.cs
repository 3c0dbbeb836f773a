using System.Text.RegularExpressions;
using RagService.Core.Documents;

namespace RagService.Extraction.Text;

/// <summary>Splits running text into paragraph blocks at blank lines.</summary>
public static partial class ParagraphSplitter
{
    [GeneratedRegex(@"\n[ \t\u3000]*\n")]
    private static partial Regex BlankLine();

    /// <summary>One paragraph block per run of non-blank lines.</summary>
    /// <param name="joinLines">True when line breaks inside a paragraph are only visual wrapping (PDF, OCR), false to keep them (plain text).</param>
    public static IEnumerable<DocumentBlock> Split(string text, bool joinLines, int? page = null)
    {
        var normalized = text.Replace("\r\n", "\n").Replace('\r', '\n');
        foreach (var raw in BlankLine().Split(normalized))
        {
            var paragraph = joinLines
                ? CjkText.JoinWrappedLines(raw.Split('\n'))
                : string.Join('\n', raw.Split('\n').Select(l => l.TrimEnd())).Trim('\n', ' ', '\t', '\f');
            if (paragraph.Length > 0)
            {
                yield return new DocumentBlock(BlockKind.Paragraph, paragraph, Page: page);
            }
        }
    }
}
