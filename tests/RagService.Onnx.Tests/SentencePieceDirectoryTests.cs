using System.Text.Json;
using System.Text.Json.Nodes;
using RagService.Onnx.Tokenization;

namespace RagService.Onnx.Tests;

/// <summary>
/// A model directory that ships a SentencePiece proto is read with Microsoft.ML.Tokenizers; when a tokenizer.json in
/// XLM-R's layout ships beside it (fairseq's numbering: &lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3, every
/// other piece one higher than in the proto, as bge-m3 and bge-reranker ship), the ids are that file's.
/// </summary>
public sealed class SentencePieceDirectoryTests : IDisposable
{
    private static readonly string Fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures");
    private readonly string _dir = Directory.CreateTempSubdirectory("spm-dir-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_proto_alone_is_read_by_the_library_with_its_own_ids()
    {
        var loaded = TokenizerLoader.FromDirectory(Path.Combine(Fixtures, "spm-unigram"));

        Assert.Equal("sentencepiece (library)", loaded.Kind);
        Assert.Equal(3000, loaded.VocabularySize);
        Assert.EndsWith("sentencepiece.model", loaded.File, StringComparison.Ordinal);
    }

    [Fact]
    public void Beside_an_xlmr_tokenizer_json_the_proto_gives_that_files_ids()
    {
        // The proto numbers <unk> 0, <s> 1, </s> 2, then the pieces; the XLM-R file puts <s> <pad> </s> <unk> first.
        File.Copy(Path.Combine(Fixtures, "spm-unigram", "sentencepiece.model"), Path.Combine(_dir, "sentencepiece.bpe.model"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures, "spm-unigram-json", "tokenizer.json")))!;
        var pieces = json["model"]!["vocab"]!.AsArray().Skip(3).Select(p => p!.DeepClone());
        JsonNode[] head = [new JsonArray("<s>", 0), new JsonArray("<pad>", 0), new JsonArray("</s>", 0), new JsonArray("<unk>", 0)];
        json["model"]!["vocab"] = new JsonArray([.. head, .. pieces]);
        json["model"]!["unk_id"] = 3;
        json["post_processor"] = JsonNode.Parse("""{"type":"RobertaProcessing","sep":["</s>",2],"cls":["<s>",0]}""");
        File.WriteAllText(Path.Combine(_dir, "tokenizer.json"), json.ToJsonString());

        var loaded = TokenizerLoader.FromDirectory(_dir);

        Assert.Equal("sentencepiece (library, tokenizer.json ids)", loaded.Kind);
        Assert.Equal(3001, loaded.VocabularySize);
        Assert.Equal(1, loaded.Tokenizer.PadId);
        foreach (var (text, protoIds) in TokenizerFixtureTests.Fixture("spm-unigram"))
        {
            int[] expected = [.. protoIds.Select(id => id switch { 0 => 3, 1 => 0, 2 => 2, _ => id + 1 })];
            Assert.True(expected.SequenceEqual(loaded.Tokenizer.Encode(text, int.MaxValue).Ids), JsonSerializer.Serialize(text));
        }
    }
}
