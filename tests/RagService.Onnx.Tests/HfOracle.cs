using RagService.Onnx.TokenFixture;

namespace RagService.Onnx.Tests;

/// <summary>
/// Hugging Face tokenizers (Rust, through Tokenizers.DotNet) over a BERT WordPiece vocabulary: the independent source
/// of expected token ids, [CLS]/[SEP] included, truncated like transformers does when <c>maxLength</c> is given.
/// </summary>
internal sealed class HfOracle : IDisposable
{
    private readonly Tokenizers.DotNet.Tokenizer _tokenizer;
    private readonly string _file;

    public HfOracle(IReadOnlyList<string> vocabulary, int? maxLength = null)
    {
        var json = HfTokenizerJson.WordPiece(vocabulary, lowercase: true);
        if (maxLength is { } max)
        {
            json = json.Replace("\"truncation\":null",
                $"\"truncation\":{{\"direction\":\"Right\",\"max_length\":{max},\"strategy\":\"LongestFirst\",\"stride\":0}}", StringComparison.Ordinal);
        }

        _file = Path.Combine(Path.GetTempPath(), $"ragservice-hf-oracle-{Guid.NewGuid():N}.json");
        File.WriteAllText(_file, json);
        _tokenizer = new Tokenizers.DotNet.Tokenizer(_file);
    }

    public static HfOracle TestVocabulary(int? maxLength = null) => new(TestVocabularies.WordPiece, maxLength);

    public long[] Ids(string text) => _tokenizer.Encode(text).Select(id => (long)id).ToArray();

    public void Dispose()
    {
        _tokenizer.Dispose();
        File.Delete(_file);
    }
}
