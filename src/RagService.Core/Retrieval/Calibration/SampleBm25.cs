using RagService.Core.Lexical;

namespace RagService.Core.Retrieval.Calibration;

/// <summary>
/// BM25F over the calibration sample's held-out passages, the same scoring as the service's engines (tf = body tf +
/// w × header tf, saturated once against body + header length; Lucene's idf), so the pseudo-queries judge BM25 as the collection would run it.
/// </summary>
internal sealed class SampleBm25
{
    private readonly List<Dictionary<string, double>> _tf = [];
    private readonly List<double> _length = [];
    private readonly Dictionary<string, int> _df = new(StringComparer.Ordinal);
    private readonly Bm25Parameters _parameters;
    private double _averageLength;

    public SampleBm25(IReadOnlyList<(IReadOnlyList<string> Body, IReadOnlyList<string> Header)> passages, Bm25Parameters parameters)
    {
        _parameters = parameters;
        foreach (var (body, header) in passages)
        {
            var tf = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (var t in body)
            {
                tf[t] = tf.GetValueOrDefault(t) + 1;
            }

            foreach (var t in header)
            {
                tf[t] = tf.GetValueOrDefault(t) + parameters.HeaderWeight;
            }

            foreach (var t in tf.Keys)
            {
                _df[t] = _df.GetValueOrDefault(t) + 1;
            }

            _tf.Add(tf);
            _length.Add(body.Count + header.Count);
        }

        _averageLength = _length.Count == 0 ? 0 : _length.Average();
    }

    /// <summary>Score of every passage for the query terms (0 for passages sharing no term).</summary>
    public double[] Score(IReadOnlyList<string> queryTerms)
    {
        var scores = new double[_tf.Count];
        var n = _tf.Count;
        foreach (var group in queryTerms.GroupBy(t => t, StringComparer.Ordinal))
        {
            if (!_df.TryGetValue(group.Key, out var df))
            {
                continue;
            }

            // A term repeated in the query counts that many times, as in the engines.
            var term = group.Key;
            var idf = group.Count() * Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            for (var d = 0; d < n; d++)
            {
                if (_tf[d].TryGetValue(term, out var tf))
                {
                    var norm = _parameters.K1 * (1 - _parameters.B + (_parameters.B * _length[d] / Math.Max(_averageLength, 1e-9)));
                    scores[d] += idf * tf / (tf + norm);
                }
            }
        }

        return scores;
    }
}
