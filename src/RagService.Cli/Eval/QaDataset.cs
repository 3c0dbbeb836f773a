using System.Text.Json;

namespace RagService.Cli.Eval;

public sealed record QaPassage(string Id, string? Title, string Text);

public sealed record QaQuestion(string Id, string Text, IReadOnlyList<string> Answers);

/// <summary>Passages to index and questions with gold answer strings.</summary>
public sealed record QaDataset(IReadOnlyList<QaPassage> Passages, IReadOnlyList<QaQuestion> Questions)
{
    /// <summary>
    /// Reads CMRC 2018 JSON (an array of {context_id, context_text, title, qas:[{query_id, query_text, answers}]})
    /// or JSONL, one {question, answers[], passages[{title, text}]} per line (passages are de-duplicated by title+text).
    /// Answers that are not strings (spreadsheet artefacts in CMRC) are ignored; answers are trimmed, blanks dropped.
    /// </summary>
    public static QaDataset Load(string path)
    {
        var text = File.ReadAllText(path);
        return text.TrimStart().StartsWith('[') ? LoadCmrc(text) : LoadJsonl(text);
    }

    private static QaDataset LoadCmrc(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var passages = new List<QaPassage>();
        var questions = new List<QaQuestion>();
        foreach (var ctx in doc.RootElement.EnumerateArray())
        {
            var id = ctx.GetProperty("context_id").GetString()!;
            passages.Add(new QaPassage(id, ctx.TryGetProperty("title", out var t) ? t.GetString() : null, ctx.GetProperty("context_text").GetString()!));
            foreach (var qa in ctx.GetProperty("qas").EnumerateArray())
            {
                questions.Add(new QaQuestion(qa.GetProperty("query_id").GetString()!, qa.GetProperty("query_text").GetString() ?? "", Answers(qa.GetProperty("answers"))));
            }
        }

        return new QaDataset(passages, questions);
    }

    private static QaDataset LoadJsonl(string text)
    {
        var passages = new Dictionary<(string?, string), QaPassage>();
        var questions = new List<QaQuestion>();
        var lineNo = 0;
        foreach (var line in text.Split('\n'))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var doc = JsonDocument.Parse(line);
            var row = doc.RootElement;
            foreach (var p in row.TryGetProperty("passages", out var ps) ? ps.EnumerateArray() : default)
            {
                var title = p.TryGetProperty("title", out var t) ? t.GetString() : null;
                var body = p.GetProperty("text").GetString()!;
                passages.TryAdd((title, body), new QaPassage($"p{passages.Count}", title, body));
            }

            questions.Add(new QaQuestion($"q{lineNo}", row.GetProperty("question").GetString() ?? "", Answers(row.GetProperty("answers"))));
        }

        return new QaDataset(passages.Values.ToList(), questions);
    }

    private static List<string> Answers(JsonElement answers) => answers.EnumerateArray()
        .Where(a => a.ValueKind == JsonValueKind.String)
        .Select(a => a.GetString()!.Trim())
        .Where(a => a.Length > 0)
        .ToList();
}
