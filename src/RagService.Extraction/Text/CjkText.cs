using System.Text.RegularExpressions;

namespace RagService.Extraction.Text;

/// <summary>Whitespace clean-up that is aware of Chinese text, where a space between two characters is noise.</summary>
public static partial class CjkText
{
    // Ideographs, CJK punctuation (。，、「」) and full-width forms (，：（）).
    private const string Cjk = @"\p{IsCJKUnifiedIdeographs}\p{IsCJKUnifiedIdeographsExtensionA}\p{IsCJKSymbolsandPunctuation}\p{IsHalfwidthandFullwidthForms}\p{IsCJKCompatibilityIdeographs}";

    [GeneratedRegex(@"(?<=[" + Cjk + @"])[ \t\u00A0\u3000]+(?=[" + Cjk + @"])")]
    private static partial Regex SpacesBetweenCjk();

    [GeneratedRegex(@"(?<=[" + Cjk + @"])[ \t\u00A0\u3000]*[\r\n][ \t\u00A0\u3000\r\n]*(?=[" + Cjk + @"])")]
    private static partial Regex LineBreakBetweenCjk();

    [GeneratedRegex(@"[ \t\u00A0\r\n\f\v]+")]
    private static partial Regex Whitespace();

    /// <summary>Removes spaces between two CJK characters (OCR output and HTML line wrapping put them there).</summary>
    public static string RemoveSpacesBetweenCjk(string text) => SpacesBetweenCjk().Replace(text, "");

    /// <summary>
    /// Collapses every run of whitespace to one space, except that a line break between two CJK characters is
    /// wrapping and disappears. Spaces the author typed between CJK characters (「第一章 概述」) stay.
    /// </summary>
    public static string CollapseWhitespace(string text) => Whitespace().Replace(LineBreakBetweenCjk().Replace(text, ""), " ").Trim();

    /// <summary>Joins visually wrapped lines into one line: with a space between Latin words, with nothing between CJK characters.</summary>
    public static string JoinWrappedLines(IEnumerable<string> lines) => CollapseWhitespace(string.Join('\n', lines.Select(l => l.Trim())));
}
