using System.Text.Json;
using RagService.Onnx.TokenFixture;

// Usage: dotnet run --project bench/RagService.Onnx.TokenFixture -c Release -- <minilm-model-dir> <shared-data-dir> <output-dir>
// Writes token-ids.minilm.json (the real all-MiniLM-L6-v2 vocabulary) and token-ids.test-wordpiece.json (the tests' hand
// vocabulary): each string with the ids Hugging Face tokenizers gives it, [CLS]/[SEP] included, not truncated.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: <minilm-model-dir> <shared-data-dir> <output-dir>");
    return 2;
}

var (modelDir, sharedData, output) = (args[0], args[1], args[2]);
var strings = FixtureStrings.Build(sharedData);
Directory.CreateDirectory(output);
var vocabularies = new (string Name, string TokenizerJson)[]
{
    ("minilm", HfTokenizerJson.WordPiece(File.ReadAllLines(Path.Combine(modelDir, "vocab.txt")), lowercase: true)),
    ("test-wordpiece", HfTokenizerJson.WordPiece(TestWordPiece.Vocabulary, lowercase: true)),
};
foreach (var (name, json) in vocabularies)
{
    var jsonPath = Path.Combine(Path.GetTempPath(), $"ragservice-{name}-tokenizer.json");
    File.WriteAllText(jsonPath, json);
    using var tokenizer = new Tokenizers.DotNet.Tokenizer(jsonPath);
    var entries = strings.Select(s => new FixtureEntry(s, tokenizer.Encode(s).Select(id => (int)id).ToArray())).ToList();
    var file = Path.Combine(output, $"token-ids.{name}.json");
    File.WriteAllText(file, JsonSerializer.Serialize(entries, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
    Console.WriteLine($"{file}: {entries.Count} strings, {entries.Sum(e => e.Ids.Length)} ids, longest {entries.Max(e => e.Ids.Length)} (Tokenizers.DotNet {tokenizer.GetVersion()})");
}

return 0;

internal sealed record FixtureEntry(string Text, int[] Ids);
