using System.Text;
using Microsoft.ML.Tokenizers;

namespace RagService.Onnx.Tokenization;

/// <summary>
/// BERT WordPiece: special tokens written in the text stay special (as in Hugging Face tokenizers), the rest goes
/// through BERT basic tokenization (<see cref="BertPreTokenizer"/>) and each word through Microsoft.ML.Tokenizers'
/// <see cref="WordPieceTokenizer"/> (greedy longest-match sub-words, "##" continuations, unknown for words it cannot
/// cover or longer than the limit). Ids only; special tokens around the text and truncation are the <see cref="Tokenizer"/>'s job.
/// </summary>
internal sealed class LibraryWordPiece : ISubwordModel
{
    private static readonly string[] SpecialTokens = ["[CLS]", "[SEP]", "[PAD]", "[MASK]", "[UNK]"];

    private readonly WordPieceTokenizer _wordPiece;
    private readonly BertPreTokenizer _preTokenizer;
    private readonly Dictionary<string, int> _specialIds;

    private LibraryWordPiece(WordPieceTokenizer wordPiece, BertPreTokenizer preTokenizer, Dictionary<string, int> specialIds, int unknownId)
    {
        UnknownId = unknownId;
        _wordPiece = wordPiece;
        _preTokenizer = preTokenizer;
        _specialIds = specialIds;
    }

    public int UnknownId { get; }

    public int ClassificationId => Special("[CLS]");

    public int SeparatorId => Special("[SEP]");

    public int PaddingId => _specialIds.GetValueOrDefault("[PAD]", 0);

    /// <summary>From vocabulary lines (line number = id), as in vocab.txt.</summary>
    public static LibraryWordPiece Create(IReadOnlyList<string> vocabularyLines, BertNormalization normalization, string unknownToken = "[UNK]",
        string continuingSubwordPrefix = "##", int maxInputCharsPerWord = 100)
    {
        var lines = vocabularyLines.Select(l => l.TrimEnd('\r', '\n')).ToList();
        if (!lines.Contains(unknownToken))
        {
            throw new InvalidDataException($"WordPiece vocabulary has no unknown token '{unknownToken}'.");
        }

        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n"));
        var wordPiece = WordPieceTokenizer.Create(stream, new WordPieceOptions
        {
            PreTokenizer = null,
            Normalizer = null,
            UnknownToken = unknownToken,
            ContinuingSubwordPrefix = continuingSubwordPrefix,
            MaxInputCharsPerWord = maxInputCharsPerWord,
        });
        var specials = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var id = 0; id < lines.Count; id++)
        {
            if (SpecialTokens.Contains(lines[id]))
            {
                specials.TryAdd(lines[id], id);
            }
        }

        return new LibraryWordPiece(wordPiece, new BertPreTokenizer(normalization), specials, lines.IndexOf(unknownToken));
    }

    public void AppendIds(string text, List<int> ids)
    {
        var start = 0;
        while (start < text.Length)
        {
            var (at, token) = NextSpecial(text, start);
            AppendWords(text[start..at], ids);
            if (token is null)
            {
                return;
            }

            ids.Add(_specialIds[token]);
            start = at + token.Length;
        }
    }

    private void AppendWords(string text, List<int> ids)
    {
        foreach (var word in _preTokenizer.Split(text))
        {
            ids.AddRange(_wordPiece.EncodeToIds(word, considerPreTokenization: false, considerNormalization: false));
        }
    }

    private (int At, string? Token) NextSpecial(string text, int start)
    {
        var best = (At: text.Length, Token: (string?)null);
        foreach (var token in _specialIds.Keys)
        {
            var at = text.IndexOf(token, start, StringComparison.Ordinal);
            if (at >= 0 && at < best.At)
            {
                best = (at, token);
            }
        }

        return best;
    }

    private int Special(string token) =>
        _specialIds.TryGetValue(token, out var id) ? id : throw new InvalidDataException($"Vocabulary has no '{token}' token.");
}
