using System.Text.Json;

namespace RagService.Cli.Eval;

/// <summary>A follow-up question with the earlier question it follows, and its original standalone form.</summary>
/// <param name="Previous">The earlier question on the same passage (the user's previous turn).</param>
/// <param name="FollowUp">The standalone question with its subject replaced by a pronoun.</param>
public sealed record ConversationalPair(string Id, string Previous, string PreviousAnswer, string Standalone, string FollowUp, string Subject,
    IReadOnlyList<string> Answers);

/// <summary>
/// Builds a conversational set from CMRC 2018 JSON. A CMRC passage is an encyclopedia article about its title, so the
/// title is the subject of its questions: a question that names the title becomes a follow-up, with every occurrence of
/// the title replaced by a pronoun, asked after the nearest earlier question on the same passage that also names it (so
/// the subject can be recovered from the conversation). The pronoun is the one the passage itself uses most: 他 when it
/// says 他/她 more often than 它, otherwise 它. Deterministic: the same file always gives the same set.
/// </summary>
public static class ConversationalSet
{
    public static IReadOnlyList<ConversationalPair> FromCmrc(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var pairs = new List<ConversationalPair>();
        foreach (var passage in doc.RootElement.EnumerateArray())
        {
            var title = passage.TryGetProperty("title", out var t) ? t.GetString()?.Trim() : null;
            if (string.IsNullOrEmpty(title))
            {
                continue;
            }

            var pronoun = Pronoun(passage.GetProperty("context_text").GetString()!);
            var qas = passage.GetProperty("qas").EnumerateArray()
                .Select(q => (Id: q.GetProperty("query_id").GetString()!, Text: q.GetProperty("query_text").GetString() ?? "", Answers: Answers(q.GetProperty("answers"))))
                .ToList();
            for (var i = 1; i < qas.Count; i++)
            {
                var (id, text, answers) = qas[i];
                var previous = qas.Take(i).LastOrDefault(q => q.Text.Contains(title, StringComparison.Ordinal));
                if (!text.Contains(title, StringComparison.Ordinal) || previous.Text is null || answers.Count == 0)
                {
                    continue;
                }

                pairs.Add(new ConversationalPair(id, previous.Text, previous.Answers.FirstOrDefault() ?? "", text,
                    text.Replace(title, pronoun, StringComparison.Ordinal), title, answers));
            }
        }

        return pairs;
    }

    private static string Pronoun(string passage)
    {
        var people = passage.Count(c => c is '他' or '她');
        return people > passage.Count(c => c == '它') ? "他" : "它";
    }

    private static List<string> Answers(JsonElement answers) => answers.EnumerateArray()
        .Where(a => a.ValueKind == JsonValueKind.String)
        .Select(a => a.GetString()!.Trim())
        .Where(a => a.Length > 0)
        .ToList();
}
