namespace RagService.Onnx.Tokenization;

/// <summary>
/// WordPiece (BERT family): basic tokenization, then greedy longest-match-first sub-words, continuations
/// prefixed with "##". A word that cannot be covered becomes one unknown token.
/// </summary>
internal sealed class WordPieceModel : ISubwordModel
{
    private readonly IReadOnlyDictionary<string, int> _vocab;
    private readonly BertPreTokenizer _preTokenizer;
    private readonly int _unkId;
    private readonly string _continuationPrefix;
    private readonly int _maxCharsPerWord;

    public WordPieceModel(IReadOnlyDictionary<string, int> vocab, BertNormalization normalization, string unkToken = "[UNK]",
        string continuationPrefix = "##", int maxCharsPerWord = 100)
    {
        _vocab = vocab;
        _preTokenizer = new BertPreTokenizer(normalization);
        _unkId = vocab.TryGetValue(unkToken, out var unk)
            ? unk
            : throw new InvalidDataException($"WordPiece vocabulary has no unknown token '{unkToken}'.");
        _continuationPrefix = continuationPrefix;
        _maxCharsPerWord = maxCharsPerWord;
    }

    public void AppendIds(string text, List<int> ids)
    {
        foreach (var word in _preTokenizer.Split(text))
        {
            AppendWord(word, ids);
        }
    }

    private void AppendWord(string word, List<int> ids)
    {
        if (word.Length > _maxCharsPerWord)
        {
            ids.Add(_unkId);
            return;
        }

        var start = ids.Count;
        var begin = 0;
        while (begin < word.Length)
        {
            var found = -1;
            for (var end = word.Length; end > begin; end--)
            {
                var piece = begin == 0 ? word[begin..end] : _continuationPrefix + word[begin..end];
                if (_vocab.TryGetValue(piece, out var id))
                {
                    found = id;
                    ids.Add(id);
                    begin = end;
                    break;
                }
            }

            if (found < 0)
            {
                ids.RemoveRange(start, ids.Count - start);
                ids.Add(_unkId);
                return;
            }
        }
    }
}
