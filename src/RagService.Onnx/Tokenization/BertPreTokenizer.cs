using System.Globalization;
using System.Text;

namespace RagService.Onnx.Tokenization;

/// <summary>
/// BERT basic tokenization as Hugging Face tokenizers' BertNormalizer + BertPreTokenizer do it: drops control
/// characters, puts CJK ideographs in words of their own, optionally lower-cases and strips accents, then splits on
/// whitespace and punctuation (ASCII symbols included).
/// </summary>
/// <remarks>
/// Own code because Microsoft.ML.Tokenizers' BertTokenizer drops Unicode symbols ("+", "=", "$", "€", emoji) that
/// Hugging Face keeps as words of their own: 156 of the 552 fixture strings got different ids (docs/onnx.md).
/// </remarks>
internal sealed class BertPreTokenizer(BertNormalization settings)
{
    public List<string> Split(string text)
    {
        var spaced = new StringBuilder(text.Length + 8);
        foreach (var rune in text.EnumerateRunes())
        {
            var cp = rune.Value;
            if (settings.CleanText && (cp == 0 || cp == 0xFFFD || TextCharacters.IsControl(cp)))
            {
                continue;
            }

            if (TextCharacters.IsWhitespace(cp))
            {
                spaced.Append(' ');
            }
            else if (settings.SplitCjkCharacters && TextCharacters.IsCjkIdeograph(cp))
            {
                spaced.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                spaced.Append(rune.ToString());
            }
        }

        var words = new List<string>();
        foreach (var token in spaced.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            SplitOnPunctuation(Normalize(token), words);
        }

        return words;
    }

    private string Normalize(string token)
    {
        if (settings.Lowercase)
        {
            token = token.ToLowerInvariant();
        }

        if (!settings.ShouldStripAccents)
        {
            return token;
        }

        // .NET's invariant lower-casing leaves 'İ' alone where Hugging Face (Rust) gives "i" + U+0307; stripping the
        // accent and lower-casing again reaches the same "i".

        var decomposed = token.Normalize(NormalizationForm.FormD);
        var kept = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                kept.Append(c);
            }
        }

        return settings.Lowercase ? kept.ToString().ToLowerInvariant() : kept.ToString();
    }

    private static void SplitOnPunctuation(string token, List<string> words)
    {
        var current = new StringBuilder();
        foreach (var rune in token.EnumerateRunes())
        {
            if (TextCharacters.IsPunctuation(rune.Value))
            {
                if (current.Length > 0)
                {
                    words.Add(current.ToString());
                    current.Clear();
                }

                words.Add(rune.ToString());
            }
            else
            {
                current.Append(rune.ToString());
            }
        }

        if (current.Length > 0)
        {
            words.Add(current.ToString());
        }
    }
}
