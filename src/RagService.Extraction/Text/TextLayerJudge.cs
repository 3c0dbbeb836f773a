using System.Globalization;
using System.Text;

namespace RagService.Extraction.Text;

/// <summary>
/// Decides whether a text layer reads as text, whoever produced it (PdfPig, poppler, OCR, DOCX). Unreadable: more than
/// <see cref="ExtractionOptions.MaxInvalidCharShare"/> of its characters are control, private-use, unassigned or
/// replacement characters; or, with at least 20 ideographs making up most of its letters, under 30 % of them are
/// frequent hanzi (what a CJK font without a usable ToUnicode map yields); or, with at least 40 Latin letters making
/// up most of its letters, under half of its Latin words hold a vowel (a shifted or private font encoding).
/// </summary>
public static class TextLayerJudge
{
    private const int MinIdeographs = 20;
    private const double MinCommonHanziShare = 0.3;
    private const int MinLatinLetters = 40;
    private const double MinVowelWordShare = 0.5;

    /// <summary>Null when <paramref name="text"/> reads as text (or is empty); otherwise why it does not, for messages.</summary>
    public static string? WhyUnreadable(string text, double maxInvalidShare)
    {
        int chars = 0, invalid = 0, letters = 0, ideographs = 0, latin = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (Rune.IsWhiteSpace(rune))
            {
                continue;
            }

            chars++;
            if (IsInvalid(rune))
            {
                invalid++;
            }
            else if (Rune.IsLetter(rune))
            {
                letters++;
                if (rune.Value is >= 0x4E00 and <= 0x9FFF)
                {
                    ideographs++;
                }
                else if (rune.Value < 0x250 && char.IsAsciiLetter(Base(rune)))
                {
                    latin++;
                }
            }
        }

        if (chars > 0 && invalid > chars * maxInvalidShare)
        {
            return $"{invalid} of its {chars} characters are control, private-use or replacement characters";
        }

        if (ideographs >= MinIdeographs && ideographs * 2 > letters && CommonHanzi.ShareOfHanzi(text) < MinCommonHanziShare)
        {
            return $"its {ideographs} Chinese characters are almost all rare ones, as a font without a usable character map yields";
        }

        if (latin >= MinLatinLetters && latin * 2 > letters && VowelWordShare(text) < MinVowelWordShare)
        {
            return "most of its Latin words have no vowel, as a font without a usable character map yields";
        }

        return null;
    }

    private static bool IsInvalid(Rune rune)
    {
        if (rune.Value == 0xFFFD)
        {
            return true;
        }

        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;
    }

    // The letter without its diacritics: é → e, ư → u.
    private static char Base(Rune rune) => rune.ToString().Normalize(NormalizationForm.FormD)[0];

    private static double VowelWordShare(string text)
    {
        int words = 0, withVowel = 0;
        var word = new StringBuilder();
        foreach (var c in (text + " ").Normalize(NormalizationForm.FormD))
        {
            if (char.IsAsciiLetter(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }

            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }

            if (word.Length >= 2)
            {
                words++;
                if (word.ToString().IndexOfAny(['a', 'e', 'i', 'o', 'u', 'y']) >= 0)
                {
                    withVowel++;
                }
            }

            word.Clear();
        }

        return words == 0 ? 1 : (double)withVowel / words;
    }
}
