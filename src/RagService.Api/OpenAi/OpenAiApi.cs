using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.AI;
using RagService.Api.Endpoints;
using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Logging;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Prompting;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Api.OpenAi;

/// <summary>The OpenAI-compatible routes: <see cref="OpenAiApi.MapOpenAiApi"/>.</summary>
internal sealed class OpenAiEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app) => app.MapOpenAiApi();
}

/// <summary>
/// POST /v1/chat/completions, GET /v1/models and GET /v1/models/{id}: collections are the models, a chat completion is
/// an ask. Reader keys; a collection outside the key's scope is "not found" for it, exactly like one that does not
/// exist. Every refusal is an OpenAI error body (<see cref="OpenAiErrorBody"/>).
/// </summary>
internal static class OpenAiApi
{
    public const string OwnedBy = "ragservice";

    public static RouteGroupBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1").WithTags("OpenAI-compatible").WithMetadata(OpenAiErrorBody.Instance);
        group.RequireRole(ApiRole.Reader);

        group.MapPost("/chat/completions", ChatAsync)
            .WithSummary("OpenAI Chat Completions: 'model' names a collection, the last user message is the question, the earlier ones its history");
        group.MapGet("/models", async (IKnowledgeStore store, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(new ModelListResponse("list", (await store.ListCollectionsAsync(ct)).Where(c => CallerScope.Allows(http, c.Name)).Select(Model).ToList())))
            .WithSummary("The collections this key can read, as OpenAI models");
        group.MapGet("/models/{id}", async (string id, IKnowledgeStore store, HttpContext http, CancellationToken ct) =>
                TypedResults.Ok(Model(await VisibleCollectionAsync(id, store, http, ct))))
            .WithSummary("One collection as an OpenAI model");
        return group;
    }

    private static async Task<Results<Ok<ChatCompletionResponse>, EmptyHttpResult>> ChatAsync(ChatCompletionRequest body, RequestMapping map, IKnowledgeStore store,
        AskService ask, HttpContext http, CancellationToken ct)
    {
        var chat = ChatCompletionMapping.Map(body, map);
        var collection = await VisibleCollectionAsync(chat.Collection, store, http, ct);
        if (!ask.LlmConfigured)
        {
            throw new ApiProblemException(StatusCodes.Status503ServiceUnavailable, OpenAiErrorBody.Titles.LlmNotConfigured,
                "no LLM is configured, so there is no answer to complete: set Llm:Url and Llm:Model (RAG_LLM_URL, RAG_LLM_MODEL). " +
                $"Without one, POST /v1/collections/{collection.Name}/ask returns the sources and the prompt");
        }

        if (chat.Stream)
        {
            await ChatCompletionStream.WriteAsync(http, chat, collection, ask, ct);
            return TypedResults.Empty;
        }

        var outcome = await ask.AskAsync(collection, chat.Query, chat.History, ct, chat.Generation);
        RequestTimings.Record(http, SearchEndpoints.Stages(outcome));
        var rag = SearchEndpoints.ToResponse(chat.Query, outcome, outcome.Answer, outcome.LlmMilliseconds);
        var answer = outcome.Answer ?? "";
        var message = new ChatAnswerMessage("assistant", answer, CitationAnnotations.Of(answer, rag.Sources, collection.Name, BaseUrl(http)));
        return TypedResults.Ok(new ChatCompletionResponse(CompletionId(), "chat.completion", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), collection.Name,
            [new ChatChoice(0, message, FinishReason(outcome.FinishReason))], Usage(outcome.Usage), rag));
    }

    /// <summary>The collection, when it exists and the key may read it; otherwise the same 404 either way.</summary>
    private static async Task<CollectionInfo> VisibleCollectionAsync(string name, IKnowledgeStore store, HttpContext http, CancellationToken ct) =>
        (CallerScope.Allows(http, name) ? await store.GetCollectionAsync(name, ct) : null)
        ?? throw new ApiProblemException(StatusCodes.Status404NotFound, OpenAiErrorBody.Titles.ModelNotFound,
            $"the model '{InputEcho.Of(name)}' does not exist or this key cannot read it: GET /v1/models lists the collections this key can read");

    private static ModelResponse Model(CollectionInfo c) => new(c.Name, "model", c.CreatedAt.ToUnixTimeSeconds(), OwnedBy);

    public static string CompletionId() => "chatcmpl-" + Guid.NewGuid().ToString("N");

    /// <summary>scheme://host[:port] of this request, for links to documents.</summary>
    public static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}";

    /// <summary>"length" when the LLM says the output cap cut the answer, otherwise "stop".</summary>
    public static string FinishReason(ChatFinishReason? reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    public static ChatUsage? Usage(UsageDetails? usage) => usage is { InputTokenCount: { } input, OutputTokenCount: { } output }
        ? new ChatUsage(input, output, usage.TotalTokenCount ?? input + output)
        : null;
}
