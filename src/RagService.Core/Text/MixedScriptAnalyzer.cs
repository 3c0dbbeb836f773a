using System.Globalization;

namespace RagService.Core.Text;

/// <summary>
/// Analyzer for Chinese mixed with Latin text: normalises (NFKC, lower case), segments CJK runs into
/// character n-grams, and keeps Latin/digit words. A code such as "xyz-123", "ab-9000" or "v2.1" is
/// emitted whole and, in addition, as its parts, so both "XYZ-123" and "XYZ" find it.
/// </summary>
public sealed class MixedScriptAnalyzer : ITextAnalyzer
{
    private readonly CjkSegmentation _cjk;

    public MixedScriptAnalyzer(CjkSegmentation cjk = CjkSegmentation.BigramAndUnigram) => _cjk = cjk;

    public string Signature => $"mixed-script/v1/{_cjk}";

    public IReadOnlyList<string> AnalyzeQuery(string text) => Analyze(QuestionWords.Strip(TextNormalizer.Normalize(text ?? "")));

    public IReadOnlyList<string> Analyze(string text)
    {
        var terms = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return terms;
        }

        var s = TextNormalizer.Normalize(text);
        var i = 0;
        while (i < s.Length)
        {
            if (IsCjk(s, i))
            {
                var start = i;
                while (i < s.Length && IsCjk(s, i))
                {
                    i += char.IsHighSurrogate(s[i]) && i + 1 < s.Length ? 2 : 1;
                }

                AddCjkRun(s.AsSpan(start, i - start), terms);
            }
            else if (char.IsLetterOrDigit(s[i]))
            {
                i = AddWord(s, i, terms);
            }
            else
            {
                i++;
            }
        }

        return terms;
    }

    private void AddCjkRun(ReadOnlySpan<char> run, List<string> terms)
    {
        // Split into text elements so that surrogate pairs (CJK extension B) stay whole.
        var chars = new List<string>(run.Length);
        var e = StringInfo.GetTextElementEnumerator(run.ToString());
        while (e.MoveNext())
        {
            chars.Add((string)e.Current);
        }

        if (_cjk != CjkSegmentation.Bigram || chars.Count == 1)
        {
            terms.AddRange(chars);
        }

        if (_cjk != CjkSegmentation.Unigram)
        {
            for (var k = 0; k + 1 < chars.Count; k++)
            {
                terms.Add(chars[k] + chars[k + 1]);
            }
        }
    }

    /// <summary>Reads a Latin/digit word starting at <paramref name="i"/>; joiners (- _ . / +) inside it make a compound code.</summary>
    private static int AddWord(string s, int i, List<string> terms)
    {
        var start = i;
        var parts = 1;
        while (i < s.Length)
        {
            if (IsWordChar(s, i))
            {
                i++;
            }
            else if (IsJoiner(s[i]) && i + 1 < s.Length && IsWordChar(s, i + 1) && i > start)
            {
                parts++;
                i++;
            }
            else
            {
                break;
            }
        }

        var word = s[start..i];
        terms.Add(word);
        if (parts > 1)
        {
            foreach (var part in word.Split(Joiners, StringSplitOptions.RemoveEmptyEntries))
            {
                terms.Add(part);
            }
        }

        return i;
    }

    private static readonly char[] Joiners = ['-', '_', '.', '/', '+'];

    private static bool IsJoiner(char c) => Array.IndexOf(Joiners, c) >= 0;

    private static bool IsWordChar(string s, int i) => char.IsLetterOrDigit(s[i]) && !IsCjk(s, i);

    /// <summary>Han ideographs (incl. extensions), kana and Hangul.</summary>
    public static bool IsCjk(string s, int i)
    {
        int cp = char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])
            ? char.ConvertToUtf32(s[i], s[i + 1])
            : s[i];
        return cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2EBEF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x3040 and <= 0x30FF) or (>= 0xAC00 and <= 0xD7AF) or 0x3007;
    }
}
