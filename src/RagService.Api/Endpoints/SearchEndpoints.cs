using RagService.Api.Contracts;
using RagService.Api.Hosting;
using RagService.Api.Logging;
using RagService.Api.Replication;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Api.Endpoints;

internal sealed class SearchEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/collections/{collection}").WithTags("Search");

        group.MapPost("/search", async (string collection, SearchRequest body, RequestMapping map, SearchService search, IKnowledgeStore store, HttpContext http,
            CollectionVersions versions, CancellationToken ct) =>
        {
            using var local = LocalStateScope.Begin();
            var info = await map.CollectionAsync(collection, ct);
            var query = map.Query(body.Query, "query", body.TopK, body.Mode, body.Rerank, body.Candidates, body.Filter, body.Fusion, info);
            var projection = map.Projection(body.Metadata);
            var version = await versions.BeforeSearchAsync(http, info, body.MinVersion, ct);
            var outcome = await search.SearchAsync(info, query, ct);
            RequestTimings.Record(http, outcome.Stages);
            var candidates = body.Explain == true ? await SearchExplanation.CandidatesAsync(outcome, store, ct) : null;
            return new SearchResponse(query.Query, RequestMapping.ModeName(outcome.RanMode), RequestMapping.ModeName(query.Mode), outcome.Hits.Select(projection.Hit).ToList(),
                outcome.Stages.Select(RequestMapping.Stage).ToList(), Math.Round(outcome.TotalMilliseconds, 3), candidates, version,
                CollectionVersions.Degraded(http, local, version));
        }).RequireRole(ApiRole.Reader).WithSummary("Retrieve the best passages for a query, with per-stage candidates, scores and timings");

        group.MapPost("/ask", async (string collection, AskRequest body, RequestMapping map, AskService ask, HttpContext http, CollectionVersions versions,
            CancellationToken ct) =>
        {
            using var local = LocalStateScope.Begin();
            var info = await map.CollectionAsync(collection, ct);
            var query = map.Query(body.Question, "question", body.TopK, body.Mode, body.Rerank, body.Candidates, body.Filter, body.Fusion, info);
            var projection = map.Projection(body.Metadata);
            var history = map.History(body.History);
            var version = await versions.BeforeSearchAsync(http, info, body.MinVersion, ct);
            if (body.Stream == true)
            {
                // The search ran before the first event: the scope says now whether it fell back, in time for the header.
                var stream = await ask.StreamAsync(info, query, history, ct);
                await AnswerStream.WriteAsync(http, query, stream, ct, projection, (version, CollectionVersions.Degraded(http, local, version)));
                return Results.Empty;
            }

            var outcome = await ask.AskAsync(info, query, history, ct);
            RequestTimings.Record(http, Stages(outcome));
            return Results.Ok(ToResponse(query, outcome, outcome.Answer, outcome.LlmMilliseconds, projection) with
            {
                Version = version, Degraded = CollectionVersions.Degraded(http, local, version),
            });
        }).RequireRole(ApiRole.Reader).WithSummary("Answer a question from the collection with numbered, cited sources");
    }

    public static AskResponse ToResponse(SearchQuery query, AskOutcome outcome, string? answer, double llmMs, HitProjection? projection = null)
    {
        projection ??= HitProjection.Default;
        var stages = Stages(outcome).Append(outcome.LlmStage(llmMs)).Select(RequestMapping.Stage).ToList();
        return new AskResponse(query.Query, answer, outcome.Llm, outcome.Model, RequestMapping.ModeName(outcome.Retrieval.RanMode), RequestMapping.ModeName(query.Mode),
            outcome.Context.Sources.Select(projection.Source).ToList(),
            new PromptResponse(outcome.Prompt.System, outcome.Prompt.User), stages,
            Math.Round((outcome.Rewrite?.Milliseconds ?? 0) + outcome.Retrieval.TotalMilliseconds + outcome.Context.Stage.Milliseconds + llmMs, 3), outcome.Rewrite?.Query,
            new ContextResponse(outcome.Context.Tokens, outcome.Context.BudgetTokens, outcome.Context.Counter, outcome.Context.Order.ToString().ToLowerInvariant(),
                outcome.Context.LeftOut.Select(h => h.Rank).ToList()));
    }

    /// <summary>The retrieval stages (after the rewrite stage when the question came with history), then the context stage.</summary>
    public static IReadOnlyList<StageReport> Stages(AskOutcome outcome) =>
        outcome.Rewrite is { } rewrite ? [rewrite.Stage, .. outcome.Retrieval.Stages, outcome.Context.Stage] : [.. outcome.Retrieval.Stages, outcome.Context.Stage];
}
