using System.Globalization;
using System.Text;
using RagService.Extraction.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.DocumentLayoutAnalysis;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Letters, overdrawn duplicates dropped → words (<see cref="WordBuilder"/>) → regions in reading order (<see cref="ReadingOrder"/>: recursive
/// XY cut, columns before rows) → lines → blocks (a region split where size or weight changes) → block text.
/// </summary>
internal static class PageLayout
{
    public static LaidOutPage Read(Page page, IReadOnlyList<Letter> letters)
    {
        var visible = letters.Where(l => !string.IsNullOrWhiteSpace(l.Value) && l.Value != "\u00AD").ToList();
        var spaces = letters.Where(l => l.Value == " ").ToList();
        var invalid = visible.Count(l => l.Value.Any(IsInvalid));
        if (visible.Count == 0)
        {
            return new LaidOutPage(page.Number, page.Height, [], 0, 0);
        }

        // Bold faked by drawing a glyph twice a fraction of a point apart: PdfPig's duplicate filter keeps one.
        var drawn = DuplicateOverlappingTextProcessor.Get(letters);
        var words = WordBuilder.Build(drawn).Select(PlacedWord.Of).ToList();
        var blocks = new List<LaidOutBlock>();
        foreach (var region in ReadingOrder.Regions(words, MedianLetterSize(visible)))
        {
            foreach (var lines in SplitAtStyleChange(Lines(region)))
            {
                var block = ToBlock(lines, page.Height, spaces);
                if (block.Text.Length > 0)
                {
                    blocks.Add(block);
                }
            }
        }

        return new LaidOutPage(page.Number, page.Height, blocks, visible.Count, invalid);
    }

    /// <summary>Words of a region grouped into lines (a word whose vertical middle lies within the line's extent), top to bottom, each left to right.</summary>
    private static List<List<PlacedWord>> Lines(List<PlacedWord> region)
    {
        var lines = new List<(double Top, double Bottom, List<PlacedWord> Words)>();
        foreach (var word in region.OrderByDescending(w => w.Baseline))
        {
            var middle = (word.Top + word.Bottom) / 2;
            var index = lines.FindIndex(l => middle <= l.Top && middle >= l.Bottom);
            if (index < 0)
            {
                lines.Add((word.Top, word.Bottom, [word]));
            }
            else
            {
                lines[index].Words.Add(word);
            }
        }

        return lines.OrderByDescending(l => l.Top).Select(l => l.Words.OrderBy(w => w.Left).ToList()).ToList();
    }

    /// <summary>A heading set tight above its paragraph lands in the same region; a change of size or weight between lines starts a new block.</summary>
    private static IEnumerable<List<List<PlacedWord>>> SplitAtStyleChange(List<List<PlacedWord>> lines)
    {
        var current = new List<List<PlacedWord>>();
        (double Size, bool Bold) style = default;
        foreach (var line in lines)
        {
            var lineStyle = Style(line.SelectMany(w => w.Word.Letters).ToList());
            if (current.Count > 0 && (Math.Abs(lineStyle.Size - style.Size) > style.Size * 0.1 || lineStyle.Bold != style.Bold))
            {
                yield return current;
                current = [];
            }

            if (current.Count == 0)
            {
                style = lineStyle;
            }

            current.Add(line);
        }

        if (current.Count > 0)
        {
            yield return current;
        }
    }

    private static (double Size, bool Bold) Style(List<Letter> letters) =>
        (letters.GroupBy(l => Math.Round(l.PointSize * 2) / 2).MaxBy(g => g.Count())?.Key ?? 0, letters.Count(IsBold) * 2 > letters.Count);

    private static bool IsInvalid(char c) =>
        c == '\uFFFD' || (char.IsControl(c) && c is not ('\t' or '\n' or '\r')) || char.GetUnicodeCategory(c) == UnicodeCategory.PrivateUse;

    private static double MedianLetterSize(List<Letter> letters)
    {
        var sizes = letters.Select(l => l.PointSize).Order().ToList();
        return sizes[sizes.Count / 2];
    }

    private static LaidOutBlock ToBlock(List<List<PlacedWord>> lines, double pageHeight, IReadOnlyList<Letter> spaces)
    {
        var letters = lines.SelectMany(l => l).SelectMany(w => w.Word.Letters).ToList();
        var (size, bold) = Style(letters);
        var words = lines.SelectMany(l => l).ToList();
        var top = words.Max(w => w.Top);
        var bottom = words.Min(w => w.Bottom);
        var text = JoinLines(lines.Select(l => LineText(l, spaces)).Where(l => l.Length > 0).ToList());
        return new LaidOutBlock(text, size, bold, pageHeight - top, pageHeight - bottom, lines.Count, letters.Count);
    }

    private static bool IsBold(Letter letter) =>
        letter.FontDetails?.IsBold == true || (letter.FontName?.Contains("bold", StringComparison.OrdinalIgnoreCase) ?? false);

    /// <summary>
    /// The text of a line: its letters left to right (a word can sit inside another's span, as 「，）」 set tight in CJK
    /// punctuation), a space where a word gap of the line's own spacing (<see cref="WordGaps"/>) or a space glyph
    /// separates two letters, except between two CJK characters, where a space is kept only where the author typed one
    /// (<see cref="IsSpaced"/>), as in 「第一章 游戏」. Accents set over letters join them (<see cref="SpacingAccents"/>)
    /// and the line comes out in Unicode NFC, so a letter drawn with combining marks reads as its precomposed form.
    /// </summary>
    private static string LineText(List<PlacedWord> line, IReadOnlyList<Letter> spaces)
    {
        var letters = line
            .SelectMany((w, i) => w.Word.Letters.Where(l => !string.IsNullOrWhiteSpace(l.Value)).Select(l => (Letter: l, Word: i)))
            .OrderBy(x => x.Letter.StartBaseLine.X)
            .ToList();
        var (marks, absorbed) = SpacingAccents.Attach(letters.ConvertAll(x => x.Letter));
        var gaps = WordGaps.Of(letters.Where((_, i) => !absorbed.Contains(i)).Select(x => x.Letter).ToList());
        var sb = new StringBuilder();
        (Letter Letter, int Word)? previous = null;
        for (var i = 0; i < letters.Count; i++)
        {
            if (absorbed.Contains(i))
            {
                continue;
            }

            var (letter, word) = letters[i];
            var value = FoldCompatibilityForms(letter.Value) + marks.GetValueOrDefault(i, "");
            if (previous is { } p && sb.Length > 0 && !IsCombiningMark(value[0]))
            {
                var cjk = IsCjk(sb[^1]) && IsCjk(value[0]);
                if (cjk ? IsSpaced(p.Letter, letter, spaces) : gaps.IsWordGap(p.Letter, letter, p.Word != word) || HasSpaceBetween(p.Letter, letter, spaces))
                {
                    sb.Append(' ');
                }
            }

            sb.Append(value);
            previous = (letter, word);
        }

        return sb.ToString().Trim().Normalize(NormalizationForm.FormC);
    }

    private static bool IsCombiningMark(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark;

    private static bool IsSpaced(Letter left, Letter right, IReadOnlyList<Letter> spaces)
    {
        var gap = right.StartBaseLine.X - left.EndBaseLine.X;
        if (gap > right.PointSize * 0.5)
        {
            return true;
        }

        return gap > right.PointSize * 0.1 && HasSpaceBetween(left, right, spaces);
    }

    private static bool HasSpaceBetween(Letter left, Letter right, IReadOnlyList<Letter> spaces) =>
        spaces.Any(s => Math.Abs(s.StartBaseLine.Y - right.StartBaseLine.Y) < 1 && s.StartBaseLine.X >= left.EndBaseLine.X - 0.5 && s.EndBaseLine.X <= right.StartBaseLine.X + 0.5);

    /// <summary>
    /// Joins wrapped lines: a Latin word hyphenated at a line end before a lower-case letter is joined with
    /// <see cref="HyphenationMark"/> in place of the hyphen (<see cref="Hyphenation"/> later decides, from the whole
    /// document, whether it was a soft break or a real hyphen as in "re-sodded"); a hyphen before a digit or capital
    /// stays without a space ("XYZ-" + "123"); where either side is CJK the lines join without a space; others with one.
    /// </summary>
    public static string JoinLines(IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder();
        foreach (var line in lines)
        {
            if (sb.Length == 0)
            {
                sb.Append(line);
                continue;
            }

            var hyphenated = sb.Length >= 2 && sb[^1] is ('-' or '\u00AD' or '\u2010') && IsLatinLetter(sb[^2]);
            if (hyphenated && char.IsLower(line[0]))
            {
                sb[^1] = HyphenationMark;
                sb.Append(line);
            }
            else if ((hyphenated && char.IsLetterOrDigit(line[0])) || IsCjk(sb[^1]) || IsCjk(line[0]))
            {
                sb.Append(line);
            }
            else
            {
                sb.Append(' ').Append(line);
            }
        }

        return CjkText.CollapseWhitespace(sb.ToString());
    }

    /// <summary>Stands for a hyphen at a line end that may be a soft break (U+00AD: invisible if it ever stays).</summary>
    public const char HyphenationMark = '\u00AD';

    /// <summary>
    /// Kangxi and supplementary radicals (fonts map ideographs like 二 人 to ⼆ ⼈ in their ToUnicode tables), CJK
    /// compatibility ideographs and Latin ligatures (ﬁ) to their ordinary characters; other text is left as written.
    /// </summary>
    private static string FoldCompatibilityForms(string text)
    {
        if (!text.Any(IsCompatibilityForm))
        {
            return text;
        }

        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (SimplifiedRadicals.TryGetValue(c, out var ideograph))
            {
                sb.Append(ideograph);
            }
            else
            {
                sb.Append(IsCompatibilityForm(c) ? c.ToString().Normalize(NormalizationForm.FormKC) : c);
            }
        }

        return sb.ToString();
    }

    // Simplified radicals have no Unicode decomposition; fonts (Noto Sans CJK) map 车 长 门 … to them all the same.
    private static readonly Dictionary<char, char> SimplifiedRadicals = new()
    {
        ['\u2EC5'] = '见', ['\u2EC6'] = '角', ['\u2EC9'] = '贝', ['\u2ECB'] = '车', ['\u2ED3'] = '长', ['\u2ED4'] = '门',
        ['\u2ED9'] = '韦', ['\u2EDA'] = '页', ['\u2EDB'] = '风', ['\u2EDC'] = '飞', ['\u2EE2'] = '马', ['\u2EE5'] = '鱼',
        ['\u2EE6'] = '鸟', ['\u2EE7'] = '卤', ['\u2EE8'] = '麦', ['\u2EE9'] = '黄', ['\u2EEA'] = '黾', ['\u2EEC'] = '齐',
        ['\u2EEE'] = '齿', ['\u2EF0'] = '龙', ['\u2EF3'] = '龟', ['\u2EA0'] = '民', ['\u2EC4'] = '西', ['\u2ED1'] = '長',
        ['\u2ED7'] = '雨', ['\u2ED8'] = '青', ['\u2EE3'] = '骨', ['\u2EE4'] = '鬼',
    };

    private static bool IsCompatibilityForm(char c) => c is >= '\u2E80' and <= '\u2FDF' or >= '\uF900' and <= '\uFAFF' or >= '\uFB00' and <= '\uFB06';

    private static bool IsLatinLetter(char c) => c < 0x250 && char.IsLetter(c);

    internal static bool IsCjk(char c) =>
        c is >= '\u2E80' and <= '\u9FFF' or >= '\uF900' and <= '\uFAFF' or >= '\uFF00' and <= '\uFFEF' or >= '\u3000' and <= '\u303F';
}
