using System.Text;
using System.Text.Json;
using RagService.Api.Contracts;
using RagService.Api.Errors;
using RagService.Api.Requests;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;

namespace RagService.Api.OpenAi;

/// <summary>A chat completion request as the ask path takes it.</summary>
/// <param name="Collection">The collection named by "model".</param>
/// <param name="History">Every message before the last, in order; system / developer messages are caller context.</param>
internal sealed record ChatAsk(string Collection, SearchQuery Query, IReadOnlyList<ConversationTurn> History, AnswerGeneration Generation, bool Stream,
    bool IncludeUsage);

/// <summary>
/// Validates a chat completion request and maps it onto ask: the last message must be the user's question; the earlier
/// messages are the history (bounded like ask's, Rag:Conversation); "max_completion_tokens" (or the older "max_tokens")
/// and "temperature" (0 to 2) pass through to the LLM; "n" may only be 1. Message content is a string or an array of
/// content parts whose "text" parts are joined (other parts, e.g. images, are ignored). Each refusal names its field.
/// </summary>
internal static class ChatCompletionMapping
{
    public const float MaxTemperature = 2f;

    public static ChatAsk Map(ChatCompletionRequest body, RequestMapping map)
    {
        if (string.IsNullOrWhiteSpace(body.Model))
        {
            throw ApiProblemException.BadRequest("'model' is required: name a collection (GET /v1/models lists the ones this key can read)");
        }

        if (body.Messages is not { Count: > 0 } messages || messages.Any(m => m is null))
        {
            throw ApiProblemException.BadRequest("'messages' is required: a list of {role, content} ending with the user's question");
        }

        var last = messages[^1]!;
        if (!string.Equals(last.Role?.Trim(), "user", StringComparison.OrdinalIgnoreCase))
        {
            throw ApiProblemException.BadRequest($"'messages[{messages.Count - 1}].role' must be \"user\": the last message is the question to answer");
        }

        if (body.N is { } n && n != 1)
        {
            throw ApiProblemException.BadRequest($"'n' must be 1: the service gives one answer per request, not {n}");
        }

        if (body.Temperature is { } t && (float.IsNaN(t) || t < 0 || t > MaxTemperature))
        {
            throw ApiProblemException.BadRequest($"'temperature' must be between 0 and {MaxTemperature}");
        }

        var maxTokens = body.MaxCompletionTokens ?? body.MaxTokens;
        if (maxTokens is < 1)
        {
            throw ApiProblemException.BadRequest($"'{(body.MaxCompletionTokens is null ? "max_tokens" : "max_completion_tokens")}' must be at least 1");
        }

        var question = Text(last.Content, messages.Count - 1);
        var query = map.Query(question, $"messages[{messages.Count - 1}].content", null, null, null, null, null);
        var history = map.History(messages.Take(messages.Count - 1).Select((m, i) => new HistoryTurnRequest(m!.Role, Text(m.Content, i))).ToList<HistoryTurnRequest?>(),
            "messages", callerSystem: true);
        return new ChatAsk(body.Model.Trim(), query, history, new AnswerGeneration(body.Temperature, maxTokens), body.Stream == true,
            body.StreamOptions?.IncludeUsage == true);
    }

    /// <summary>A message's text: the string, or the "text" parts of a content-part array joined by line breaks.</summary>
    private static string? Text(JsonElement content, int index)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString();
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return null;
            case JsonValueKind.Array:
                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var type) && type.ValueEquals("text")
                        && part.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        text.Append(text.Length > 0 ? "\n" : "").Append(value.GetString());
                    }
                }

                return text.ToString();
            default:
                throw ApiProblemException.BadRequest($"'messages[{index}].content' must be a string or an array of content parts");
        }
    }
}
