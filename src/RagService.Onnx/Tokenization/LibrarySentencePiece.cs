using Microsoft.ML.Tokenizers;

namespace RagService.Onnx.Tokenization;

/// <summary>
/// A SentencePiece model proto (<c>sentencepiece.bpe.model</c> or another <c>*.model</c>, Unigram or BPE) through
/// Microsoft.ML.Tokenizers' <see cref="SentencePieceTokenizer"/>, which applies the proto's own normalization (its
/// precompiled character map) rather than an approximation. Ids only, no BOS/EOS: special tokens and truncation are the
/// <see cref="Tokenizer"/>'s job. When the directory also ships a tokenizer.json, ids are translated piece by piece to
/// its vocabulary: XLM-R's tokenizer.json numbers the proto's pieces one higher (fairseq's offset) and puts
/// &lt;s&gt;, &lt;pad&gt;, &lt;/s&gt;, &lt;unk&gt; first, and the model's embeddings follow tokenizer.json.
/// </summary>
internal sealed class LibrarySentencePiece : ISubwordModel
{
    private readonly SentencePieceTokenizer _tokenizer;
    private readonly int[]? _toModelIds;

    private LibrarySentencePiece(SentencePieceTokenizer tokenizer, int[]? toModelIds)
    {
        _tokenizer = tokenizer;
        _toModelIds = toModelIds;
        UnknownId = Map(tokenizer.UnknownId);
    }

    public int UnknownId { get; }

    /// <summary>Number of pieces in the proto.</summary>
    public int VocabularySize => _tokenizer.Vocabulary.Count;

    /// <param name="modelIds">tokenizer.json's piece-to-id map, when it ships beside the proto; null = the proto's ids.</param>
    public static LibrarySentencePiece Load(string protoPath, IReadOnlyDictionary<string, int>? modelIds)
    {
        using var stream = File.OpenRead(protoPath);
        var tokenizer = SentencePieceTokenizer.Create(stream, false, false);
        if (modelIds is null)
        {
            return new LibrarySentencePiece(tokenizer, null);
        }

        var map = new int[tokenizer.Vocabulary.Count];
        foreach (var (piece, id) in tokenizer.Vocabulary)
        {
            map[id] = modelIds.TryGetValue(piece, out var modelId) ? modelId
                : id == tokenizer.UnknownId && modelIds.TryGetValue("<unk>", out var unk) ? unk
                : throw new InvalidDataException($"{Path.GetFileName(protoPath)} has the piece '{piece}' that tokenizer.json lacks: they are not the same tokenizer.");
        }

        return new LibrarySentencePiece(tokenizer, map);
    }

    /// <summary>The proto's id of a piece (for the special tokens of a directory without tokenizer.json), or null.</summary>
    public int? IdOf(string piece) => _tokenizer.Vocabulary.TryGetValue(piece, out var id) ? Map(id) : null;

    /// <remarks>
    /// Two gaps of Microsoft.ML.Tokenizers 2.0.1 against the official SentencePiece library, closed here and checked
    /// by the id-parity fixture: SentencePiece merges a run of characters no piece covers into one unknown (the library
    /// gives one per character), and its nmt_nfkc map deletes the C0 controls other than NUL, tab, LF, FF and CR, and
    /// DEL (the library turns them into unknowns).
    /// </remarks>
    public void AppendIds(string text, List<int> ids)
    {
        var previousUnknown = false;
        foreach (var id in _tokenizer.EncodeToIds(WithoutDeletedControls(text), addBeginningOfSentence: false, addEndOfSentence: false))
        {
            var unknown = id == _tokenizer.UnknownId;
            if (!(unknown && previousUnknown))
            {
                ids.Add(Map(id));
            }

            previousUnknown = unknown;
        }
    }

    private static string WithoutDeletedControls(string text) =>
        text.AsSpan().ContainsAny(DeletedControls) ? string.Concat(text.Where(c => !DeletedControls.Contains(c))) : text;

    private static readonly System.Buffers.SearchValues<char> DeletedControls = System.Buffers.SearchValues.Create(
        "\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u000B\u000E\u000F\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\u007F");

    private int Map(int id) => _toModelIds is null ? id : _toModelIds[id];
}
