namespace RagService.Cli.Bench;

/// <summary>
/// Chinese-like text: characters drawn with a Zipf-like skew from 3,000 CJK code points, sentences ending in 。; and
/// English-like text: words drawn with the same skew from a fixed vocabulary of 5,000 made-up words.
/// </summary>
internal sealed class SyntheticCorpus(int seed)
{
    private static readonly string[] Vocabulary = MakeVocabulary(5_000);

    private readonly Random _random = new(seed);

    private char Char() => (char)(0x4E00 + (int)(3000 * Math.Pow(_random.NextDouble(), 2.5)));

    public string Chunk()
    {
        var sb = new System.Text.StringBuilder(160);
        while (sb.Length < 150)
        {
            var len = _random.Next(8, 30);
            for (var i = 0; i < len; i++)
            {
                sb.Append(Char());
            }

            sb.Append('。');
        }

        return sb.ToString();
    }

    /// <summary>About 150 characters of English-like sentences (8–20 words each, ending in '.').</summary>
    public string EnglishChunk()
    {
        var sb = new System.Text.StringBuilder(180);
        while (sb.Length < 150)
        {
            var len = _random.Next(8, 21);
            for (var i = 0; i < len; i++)
            {
                sb.Append(Vocabulary[(int)(Vocabulary.Length * Math.Pow(_random.NextDouble(), 2.5))]).Append(i + 1 < len ? ' ' : '.');
            }

            sb.Append(' ');
        }

        return sb.ToString(0, sb.Length - 1);
    }

    /// <summary>
    /// A piece of a stored chunk, as a user would half-remember it: 6–16 characters of Chinese, or 3–7 whole words of
    /// English.
    /// </summary>
    public string QueryFrom(List<string> texts)
    {
        var text = texts[_random.Next(texts.Count)];
        if (text.Contains(' '))
        {
            var words = text.Split(' ');
            var count = _random.Next(3, 8);
            return string.Join(' ', words.Skip(_random.Next(0, words.Length - count)).Take(count)).TrimEnd('.');
        }

        var len = _random.Next(6, 17);
        return text.Substring(_random.Next(0, text.Length - len), len);
    }

    public float[] UnitVector(int dimension)
    {
        var v = new float[dimension];
        double norm = 0;
        for (var i = 0; i < dimension; i++)
        {
            v[i] = (float)(_random.NextDouble() * 2 - 1);
            norm += v[i] * v[i];
        }

        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < dimension; i++)
        {
            v[i] *= scale;
        }

        return v;
    }

    /// <summary>Pronounceable made-up words of 2–4 syllables, the same list in every process.</summary>
    private static string[] MakeVocabulary(int size)
    {
        string[] onsets = ["b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "w", "st", "tr", "pl", "sh", "ch"];
        string[] vowels = ["a", "e", "i", "o", "u", "ai", "ea", "ou"];
        var random = new Random(5);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var words = new List<string>(size);
        while (words.Count < size)
        {
            var word = new System.Text.StringBuilder();
            for (var syllables = random.Next(2, 5); syllables > 0; syllables--)
            {
                word.Append(onsets[random.Next(onsets.Length)]).Append(vowels[random.Next(vowels.Length)]);
            }

            if (seen.Add(word.ToString()))
            {
                words.Add(word.ToString());
            }
        }

        return [.. words];
    }
}
