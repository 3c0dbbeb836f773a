using System.Text.Json;
using System.Text.Json.Serialization;
using RagService.Api.Contracts;

namespace RagService.Api.OpenAi;

// The OpenAI Chat Completions and Models wire format (snake_case), as far as the service speaks it. Fields a client may
// send that are not listed here (top_p, tools, user, ...) are accepted and ignored.

/// <param name="Model">The collection to answer from (GET /v1/models lists those the key can read).</param>
/// <param name="Messages">The conversation: the last message is the user's question, the earlier ones its history.</param>
/// <param name="MaxTokens">Cap on the answer's tokens, passed to the LLM (the older name of <paramref name="MaxCompletionTokens"/>).</param>
/// <param name="N">Only 1 is supported.</param>
public sealed record ChatCompletionRequest(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("messages")] List<ChatMessageRequest?>? Messages,
    [property: JsonPropertyName("stream")] bool? Stream = null,
    [property: JsonPropertyName("stream_options")] StreamOptionsRequest? StreamOptions = null,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens = null,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens = null,
    [property: JsonPropertyName("temperature")] float? Temperature = null,
    [property: JsonPropertyName("n")] int? N = null);

/// <param name="Role">"user", "assistant", "system" or "developer".</param>
/// <param name="Content">A string, or an array of content parts of which the "text" parts are read.</param>
public sealed record ChatMessageRequest(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] JsonElement Content);

public sealed record StreamOptionsRequest([property: JsonPropertyName("include_usage")] bool? IncludeUsage);

public sealed record ChatCompletionResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatUsage? Usage,
    [property: JsonPropertyName("rag")] AskResponse Rag);

public sealed record ChatChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] ChatAnswerMessage Message,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

public sealed record ChatAnswerMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content,
    [property: JsonPropertyName("annotations")] IReadOnlyList<UrlCitationAnnotation> Annotations,
    [property: JsonPropertyName("refusal")] string? Refusal = null);

/// <summary>One "[n]" marker of the answer: OpenAI's url_citation annotation, pointing at the cited source's document.</summary>
public sealed record UrlCitationAnnotation(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("url_citation")] UrlCitation UrlCitation);

/// <param name="StartIndex">Where the marker starts in the answer, in UTF-16 code units (a .NET or JavaScript string index).</param>
/// <param name="EndIndex">Just after the marker.</param>
/// <param name="Title">The source's document title, with its section and page when known.</param>
/// <param name="Url">The source's document on this service (GET it with the same key).</param>
public sealed record UrlCitation(
    [property: JsonPropertyName("start_index")] int StartIndex,
    [property: JsonPropertyName("end_index")] int EndIndex,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("url")] string Url);

public sealed record ChatUsage(
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("total_tokens")] long TotalTokens);

public sealed record ChatCompletionChunk(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("choices")] IReadOnlyList<ChatChunkChoice> Choices,
    [property: JsonPropertyName("usage"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChatUsage? Usage = null,
    [property: JsonPropertyName("rag"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] AskResponse? Rag = null);

public sealed record ChatChunkChoice(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("delta")] ChatDelta Delta,
    [property: JsonPropertyName("finish_reason")] string? FinishReason);

public sealed record ChatDelta(
    [property: JsonPropertyName("role"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Role = null,
    [property: JsonPropertyName("content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Content = null,
    [property: JsonPropertyName("annotations"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<UrlCitationAnnotation>? Annotations = null);

public sealed record ModelResponse(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

public sealed record ModelListResponse(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] IReadOnlyList<ModelResponse> Data);

/// <summary>OpenAI's error body: what OpenAI clients parse into their exceptions.</summary>
public sealed record OpenAiErrorResponse([property: JsonPropertyName("error")] OpenAiError Error);

/// <param name="Type">"invalid_request_error", "authentication_error", "permission_error", "not_found_error", "rate_limit_error", "server_error".</param>
/// <param name="Param">The request field to fix, when one is to blame.</param>
/// <param name="Code">A machine-readable reason, e.g. "invalid_api_key", "model_not_found", "llm_not_configured".</param>
public sealed record OpenAiError(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("param")] string? Param,
    [property: JsonPropertyName("code")] string? Code);
