namespace RagService.Cli.Bench;

/// <summary>Chinese-like text: characters drawn with a Zipf-like skew from 3,000 CJK code points, sentences ending in 。.</summary>
internal sealed class SyntheticCorpus(int seed)
{
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

    /// <summary>A 6–16 character piece of a stored chunk, as a user would half-remember it.</summary>
    public string QueryFrom(List<string> texts)
    {
        var text = texts[_random.Next(texts.Count)];
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
}
