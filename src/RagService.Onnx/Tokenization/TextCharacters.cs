using System.Globalization;

namespace RagService.Onnx.Tokenization;

/// <summary>The character classes BERT's basic tokenizer uses.</summary>
internal static class TextCharacters
{
    /// <summary>Unicode White_Space, as Rust's char::is_whitespace in Hugging Face tokenizers (U+2028/2029 and U+0085 included).</summary>
    public static bool IsWhitespace(int cp) =>
        cp is ' ' or '\t' or '\n' or '\r' or '\v' or '\f' or 0x85 or 0x2028 or 0x2029
        || CharUnicodeInfo.GetUnicodeCategory(cp) == UnicodeCategory.SpaceSeparator;

    public static bool IsControl(int cp)
    {
        if (cp is '\t' or '\n' or '\r')
        {
            return false;
        }

        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned;
    }

    /// <summary>ASCII symbols count as punctuation too (BERT splits "$", "+", "^" and "`" off words).</summary>
    public static bool IsPunctuation(int cp)
    {
        if (cp is >= 33 and <= 47 or >= 58 and <= 64 or >= 91 and <= 96 or >= 123 and <= 126)
        {
            return true;
        }

        return CharUnicodeInfo.GetUnicodeCategory(cp) is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation
            or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
            or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation;
    }

    /// <summary>CJK Unified Ideographs blocks, as in BERT (Hangul and kana are not included).</summary>
    public static bool IsCjkIdeograph(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF or >= 0x2A700 and <= 0x2B73F
            or >= 0x2B740 and <= 0x2B81F or >= 0x2B820 and <= 0x2CEAF or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
}
