using System.Text.Json;
using RagService.Core.Chunking;
using RagService.Core.Documents;

namespace RagService.Vectors.Hnsw.Bench.RealText;

/// <summary>
/// Chunk texts of a QA data set in document order (the eval's chunking: structured, 200 characters, no overlap)
/// and its questions, from the CMRC-style JSON array both shared data files use.
/// </summary>
internal sealed record QaCorpus(string Name, IReadOnlyList<string> Chunks, IReadOnlyList<string> Questions)
{
    public static QaCorpus Load(string path, int chunkSize, int maxQuestions)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var chunker = new StructuredChunker(new ChunkingOptions { Mode = ChunkingMode.Structured, MaxSize = chunkSize, Overlap = 0 });
        var chunks = new List<string>();
        var questions = new List<string>();
        foreach (var passage in doc.RootElement.EnumerateArray())
        {
            string? title = passage.TryGetProperty("title", out var t) ? t.GetString() : null;
            var document = new ExtractedDocument(title, [new DocumentBlock(BlockKind.Paragraph, passage.GetProperty("context_text").GetString()!)], "text");
            chunks.AddRange(chunker.Chunk(document).Select(c => c.Text));
            foreach (var qa in passage.GetProperty("qas").EnumerateArray())
            {
                if (qa.GetProperty("query_text").GetString() is { Length: > 0 } q && questions.Count < maxQuestions)
                {
                    questions.Add(q);
                }
            }
        }
        return new QaCorpus(Path.GetFileNameWithoutExtension(path), chunks, questions);
    }
}
