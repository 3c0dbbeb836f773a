using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Fonts;
using UglyToad.PdfPig.Parser.Parts;
using UglyToad.PdfPig.Tokenization.Scanner;
using UglyToad.PdfPig.Tokens;

namespace RagService.Extraction.Pdf;

/// <summary>
/// Finds the fonts on a page whose glyphs PdfPig cannot map to Unicode with confidence, and says so per font as a
/// warning. A font is unmapped when it has no <c>/ToUnicode</c> map and
/// <list type="bullet">
/// <item>its font descriptor flags it symbolic (<c>/Flags</c> bit 3): its character codes select the font's own glyphs
/// (math, dingbats), which PdfPig reads as the codes' ASCII or private-use look-alikes. Exempt: an embedded Type 1 or
/// CFF program (it names its glyphs, and PdfPig maps the names), and the standard Symbol and ZapfDingbats fonts when
/// not embedded (their encodings are published and PdfPig applies them);</item>
/// <item>or it is a composite (Type0) font with an <c>Identity-H/V</c> encoding: codes are glyph ids, nothing maps them;</item>
/// <item>or its <c>/Encoding</c> <c>/Differences</c> name a glyph outside the Adobe Glyph List (and not <c>uniXXXX</c>/<c>uXXXX</c>).</item>
/// </list>
/// Only fonts that supply at least one visible glyph on the page are reported. Fonts inside form XObjects are not
/// inspected. A font dictionary that cannot be read is skipped: this check never costs the page.
/// </summary>
internal static class UnmappedFonts
{
    private const int SymbolicFlag = 1 << 2;

    private static readonly HashSet<string> StandardSymbolFonts = new(StringComparer.Ordinal) { "Symbol", "ZapfDingbats" };

    /// <returns>One warning per unmapped font, e.g. <c>page 2: font MathPi has no ToUnicode map and is flagged symbolic; its 3 glyphs may be read as
    /// the wrong characters</c>.</returns>
    public static IReadOnlyList<string> Warnings(Page page, IReadOnlyList<Letter> letters, IPdfTokenScanner scanner)
    {
        var glyphsByFont = letters.Where(l => !string.IsNullOrWhiteSpace(l.Value))
            .GroupBy(l => l.FontName ?? "")
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var warnings = new List<string>();
        try
        {
            if (Resources(page.Dictionary, scanner) is not { } resources
                || !resources.TryGet(NameToken.Font, out var fontsToken)
                || !DirectObjectFinder.TryGet<DictionaryToken>(fontsToken, scanner, out var fonts))
            {
                return warnings;
            }

            foreach (var (resourceName, token) in fonts.Data)
            {
                if (!DirectObjectFinder.TryGet<DictionaryToken>(token, scanner, out var font))
                {
                    continue;
                }

                var name = Name(font, NameToken.BaseFont) ?? resourceName;
                if (glyphsByFont.GetValueOrDefault(name) is var glyphs and > 0 && WhyUnmapped(font, name, scanner) is { } why)
                {
                    warnings.Add($"page {page.Number}: font {name} has no ToUnicode map and {why}; its {glyphs} glyphs may be read as the wrong characters");
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A damaged font dictionary: PdfPig read the page anyway, and this check is advice only.
        }

        return warnings;
    }

    private static string? WhyUnmapped(DictionaryToken font, string name, IPdfTokenScanner scanner)
    {
        if (font.ContainsKey(NameToken.ToUnicode))
        {
            return null;
        }

        if (Name(font, NameToken.Subtype) == "Type0")
        {
            var encoding = Name(font, NameToken.Encoding);
            return encoding is "Identity-H" or "Identity-V" ? $"is a composite font with the {encoding} encoding" : null;
        }

        var descriptor = font.TryGet(NameToken.FontDescriptor, out var descriptorToken)
            && DirectObjectFinder.TryGet<DictionaryToken>(descriptorToken, scanner, out var d) ? d : null;
        // An embedded Type 1 or CFF program names its glyphs, and PdfPig maps the names (TeX's math fonts, for one).
        var namesItsGlyphs = descriptor is not null && (descriptor.ContainsKey(NameToken.FontFile) || descriptor.ContainsKey(NameToken.FontFile3));
        if (descriptor is not null
            && !namesItsGlyphs
            && descriptor.TryGet(NameToken.Flags, out var flagsToken)
            && DirectObjectFinder.TryGet<NumericToken>(flagsToken, scanner, out var flags)
            && (flags.Int & SymbolicFlag) != 0
            && (descriptor.ContainsKey(NameToken.FontFile2) || !StandardSymbolFonts.Contains(name)))
        {
            return "is flagged symbolic";
        }

        if (font.TryGet(NameToken.Encoding, out var encodingToken)
            && DirectObjectFinder.TryGet<DictionaryToken>(encodingToken, scanner, out var encodingDictionary)
            && encodingDictionary.TryGet(NameToken.Differences, out var differencesToken)
            && DirectObjectFinder.TryGet<ArrayToken>(differencesToken, scanner, out var differences)
            && differences.Data.OfType<NameToken>().FirstOrDefault(g => !IsKnownGlyphName(g.Data)) is { } unknown)
        {
            return $"its encoding names glyphs without a Unicode meaning (/{unknown.Data})";
        }

        return null;
    }

    private static bool IsKnownGlyphName(string glyph) =>
        glyph == ".notdef"
        || GlyphList.AdobeGlyphList.NameToUnicode(glyph) is { Length: > 0 }
        || (glyph.StartsWith("uni", StringComparison.Ordinal) && glyph.Length >= 7 && glyph[3..].All(char.IsAsciiHexDigit))
        || (glyph.StartsWith('u') && glyph.Length is >= 5 and <= 7 && glyph[1..].All(char.IsAsciiHexDigit));

    /// <summary>The page's resources, inherited from the page tree when the page has none of its own.</summary>
    private static DictionaryToken? Resources(DictionaryToken node, IPdfTokenScanner scanner)
    {
        for (var depth = 0; node is not null && depth < 64; depth++)
        {
            if (node.TryGet(NameToken.Resources, out var token) && DirectObjectFinder.TryGet<DictionaryToken>(token, scanner, out var resources))
            {
                return resources;
            }

            node = node.TryGet(NameToken.Parent, out var parent) && DirectObjectFinder.TryGet<DictionaryToken>(parent, scanner, out var p) ? p : null!;
        }

        return null;
    }

    private static string? Name(DictionaryToken dictionary, NameToken key) =>
        dictionary.TryGet(key, out var token) && token is NameToken name ? name.Data : null;
}
