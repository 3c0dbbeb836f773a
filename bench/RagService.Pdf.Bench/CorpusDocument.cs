using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagService.Pdf.Bench;

/// <summary>Ground truth of one corpus document (tests/pdf-corpus/*.json, written by make_corpus.py).</summary>
internal sealed record CorpusDocument(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("text")] string Text,
    [property: JsonPropertyName("headings")] IReadOnlyList<CorpusHeading> Headings,
    [property: JsonPropertyName("running")] IReadOnlyList<string> Running)
{
    public static IReadOnlyList<CorpusDocument> Load(string directory) =>
        Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal)
            .Select(f => JsonSerializer.Deserialize<CorpusDocument>(File.ReadAllText(f))!)
            .ToList();

    /// <summary>The source as blocks: the paragraphs and headings of <see cref="Text"/>, one per line.</summary>
    public IEnumerable<(string Text, int Level)> Blocks()
    {
        var levels = Headings.ToDictionary(h => h.Text, h => h.Level);
        return Text.Split('\n').Select(line => (line, levels.GetValueOrDefault(line)));
    }
}

internal sealed record CorpusHeading([property: JsonPropertyName("text")] string Text, [property: JsonPropertyName("level")] int Level);
