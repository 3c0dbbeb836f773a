using System.Text;

namespace RagService.Onnx.Tokenization;

/// <summary>
/// SentencePiece Unigram (XLM-R family: bge-m3, bge-reranker, multilingual-e5): NFKC with whitespace collapsed,
/// Metaspace ("▁" marks a word start), then per word the segmentation with the highest total log-probability (Viterbi).
/// Characters no piece covers become the unknown id, consecutive unknowns fused into one.
/// </summary>
/// <remarks>
/// SentencePiece's precompiled nmt_nfkc character map is approximated by .NET's NFKC; they agree for ordinary
/// Chinese, Latin and digit text, and differ only for rare code points.
/// </remarks>
internal sealed class UnigramModel : ISubwordModel
{
    // SentencePiece scores an unknown character as the lowest piece score minus this penalty.
    private const double UnknownPenalty = 10.0;

    private readonly Dictionary<string, (int Id, double Score)> _pieces;
    private readonly int _unkId;
    private readonly double _unkScore;
    private readonly int _maxPieceLength;
    private readonly char _spaceMarker;

    public UnigramModel(IReadOnlyList<(string Piece, double Score)> vocab, int unkId, char spaceMarker = '\u2581')
    {
        _pieces = new Dictionary<string, (int, double)>(vocab.Count, StringComparer.Ordinal);
        for (var id = 0; id < vocab.Count; id++)
        {
            _pieces.TryAdd(vocab[id].Piece, (id, vocab[id].Score));
        }

        if (unkId < 0 || unkId >= vocab.Count)
        {
            throw new InvalidDataException($"Unigram unk_id {unkId} is outside the vocabulary of {vocab.Count} pieces.");
        }

        _unkId = unkId;
        _unkScore = vocab.Min(v => v.Score) - UnknownPenalty;
        _maxPieceLength = vocab.Max(v => v.Piece.Length);
        _spaceMarker = spaceMarker;
    }

    public int UnknownId => _unkId;

    public void AppendIds(string text, List<int> ids)
    {
        var normalized = Normalize(text);
        if (normalized.Length == 0)
        {
            return;
        }

        // Metaspace: every word starts with the marker and is segmented on its own.
        var marked = _spaceMarker + normalized.Replace(' ', _spaceMarker);
        var start = 0;
        for (var i = 1; i <= marked.Length; i++)
        {
            if (i == marked.Length || marked[i] == _spaceMarker)
            {
                Segment(marked[start..i], ids);
                start = i;
            }
        }
    }

    private static string Normalize(string text)
    {
        var nfkc = text.Normalize(NormalizationForm.FormKC);
        var builder = new StringBuilder(nfkc.Length);
        var pendingSpace = false;
        foreach (var rune in nfkc.EnumerateRunes())
        {
            if (TextCharacters.IsWhitespace(rune.Value) || rune.Value == 0)
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (TextCharacters.IsControl(rune.Value))
            {
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private void Segment(string word, List<int> ids)
    {
        var n = word.Length;
        var best = new double[n + 1];
        var previous = new int[n + 1];
        var pieceId = new int[n + 1];
        Array.Fill(best, double.NegativeInfinity);
        best[0] = 0;
        for (var i = 0; i < n; i++)
        {
            if (double.IsNegativeInfinity(best[i]) || char.IsLowSurrogate(word[i]))
            {
                continue;
            }

            var covered = false;
            for (var len = 1; len <= _maxPieceLength && i + len <= n; len++)
            {
                if (i + len < n && char.IsLowSurrogate(word[i + len]))
                {
                    continue;
                }

                if (_pieces.TryGetValue(word.Substring(i, len), out var piece))
                {
                    covered |= len == CharLength(word, i);
                    Relax(i, i + len, best[i] + piece.Score, piece.Id, best, previous, pieceId);
                }
            }

            if (!covered)
            {
                Relax(i, i + CharLength(word, i), best[i] + _unkScore, _unkId, best, previous, pieceId);
            }
        }

        var path = new List<int>();
        for (var end = n; end > 0; end = previous[end])
        {
            path.Add(pieceId[end]);
        }

        for (var k = path.Count - 1; k >= 0; k--)
        {
            if (path[k] == _unkId && ids.Count > 0 && ids[^1] == _unkId && k < path.Count - 1)
            {
                continue;
            }

            ids.Add(path[k]);
        }
    }

    private static int CharLength(string word, int i) => char.IsHighSurrogate(word[i]) && i + 1 < word.Length ? 2 : 1;

    private static void Relax(int from, int to, double score, int id, double[] best, int[] previous, int[] pieceId)
    {
        if (score > best[to])
        {
            best[to] = score;
            previous[to] = from;
            pieceId[to] = id;
        }
    }
}
