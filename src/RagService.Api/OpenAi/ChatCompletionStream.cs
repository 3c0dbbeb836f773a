using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using RagService.Api.Endpoints;
using RagService.Api.Errors;
using RagService.Api.Logging;
using RagService.Core.Diagnostics;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Api.OpenAi;

/// <summary>
/// Writes a streamed chat completion as OpenAI does: a first chunk with the assistant role, one chat.completion.chunk
/// per piece of text, a final chunk with the finish_reason ("stop", or "length" when the output cap cut the answer), the citation annotations and the
/// service's whole ask
/// response under "rag", a usage chunk (empty choices) when stream_options.include_usage asked for it and the LLM
/// counted, then "data: [DONE]". The first token is awaited before the response starts, so an LLM that fails at once
/// gets a proper OpenAI error with 502/504; one that fails later ends the stream with an error chunk and no [DONE].
/// </summary>
internal static class ChatCompletionStream
{
    public static async Task WriteAsync(HttpContext http, ChatAsk chat, CollectionInfo collection, AskService ask, CancellationToken ct)
    {
        var json = http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var completion = new StreamedCompletion();
        var (start, tokens) = await ask.StreamAsync(collection, chat.Query, chat.History, ct, chat.Generation, completion);
        RequestTimings.Record(http, SearchEndpoints.Stages(start));
        var sw = Stopwatch.StartNew();
        await using var e = tokens.GetAsyncEnumerator(ct);
        var hasToken = await e.MoveNextAsync();

        AnswerStream.StartEventStream(http);
        var id = OpenAiApi.CompletionId();
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        ChatCompletionChunk Chunk(ChatDelta delta, string? finish = null) =>
            new(id, "chat.completion.chunk", created, collection.Name, [new ChatChunkChoice(0, delta, finish)]);

        await SendAsync(http, Chunk(new ChatDelta(Role: "assistant", Content: "")), json, ct);
        var answer = new StringBuilder();
        while (hasToken)
        {
            answer.Append(e.Current);
            await SendAsync(http, Chunk(new ChatDelta(Content: e.Current)), json, ct);
            try
            {
                hasToken = await e.MoveNextAsync();
            }
            catch (LlmUnavailableException failure)
            {
                var (status, title, detail) = ProblemExceptionHandler.Describe(failure);
                await SendAsync(http, new OpenAiErrorResponse(OpenAiErrorBody.Describe(status, title, detail)), json, ct);
                return;
            }
        }

        if (start.Llm == "ok")
        {
            RagTelemetry.RecordStages([new StageReport("llm", "ok", 0, sw.Elapsed.TotalMilliseconds)], DateTimeOffset.UtcNow - sw.Elapsed);
        }

        var text = answer.ToString();
        var rag = SearchEndpoints.ToResponse(chat.Query, start, text, start.Llm == "ok" ? sw.Elapsed.TotalMilliseconds : 0);
        var annotations = CitationAnnotations.Of(text, rag.Sources, collection.Name, OpenAiApi.BaseUrl(http));
        await SendAsync(http, Chunk(new ChatDelta(Annotations: annotations), OpenAiApi.FinishReason(completion.FinishReason)) with { Rag = rag }, json, ct);
        if (chat.IncludeUsage && OpenAiApi.Usage(completion.Usage) is { } counts)
        {
            await SendAsync(http, new ChatCompletionChunk(id, "chat.completion.chunk", created, collection.Name, [], counts), json, ct);
        }

        await http.Response.WriteAsync("data: [DONE]\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private static async Task SendAsync(HttpContext http, object data, JsonSerializerOptions json, CancellationToken ct)
    {
        await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(data, json)}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }
}
