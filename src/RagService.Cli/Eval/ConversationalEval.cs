using System.Globalization;
using System.Text.Json;
using RagService.Core.Conversation;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Llm;
using RagService.Llm.Chat;
using RagService.Llm.Prompting;

namespace RagService.Cli.Eval;

/// <summary>
/// `rag eval FILE --conversational`: retrieval of follow-up questions (<see cref="ConversationalSet"/>) asked as they
/// stand, through the service's deterministic fallback (previous user turn + question), and, when RAG_LLM_URL is set,
/// rewritten by the LLM with the service's own rewrite prompt; the original standalone question is the ceiling.
/// </summary>
internal static class ConversationalEval
{
    public static async Task<string> RunAsync(SearchService search, CollectionInfo collection, EvalArgs args)
    {
        var pairs = ConversationalSet.FromCmrc(args.File);
        var mode = args.Modes[0];
        var variants = new List<(string Name, Func<ConversationalPair, Task<string>> Query)>
        {
            ("standalone", p => Task.FromResult(p.Standalone)),
            ("follow-up", p => Task.FromResult(p.FollowUp)),
            ("fallback", p => Task.FromResult(QuestionRewriter.FallbackQuery(p.FollowUp, History(p)))),
        };
        var llmFallbacks = 0;
        using var chat = LlmFromEnvironment();
        if (chat is { } client)
        {
            var rewriter = new QuestionRewriter(new RewritePromptTemplate(), new ConversationOptions(), client.Chat, client.Model);
            variants.Add(("llm-rewrite", async p =>
            {
                var rewrite = await rewriter.RewriteAsync(p.FollowUp, History(p), CancellationToken.None);
                llmFallbacks += rewrite.Status == QuestionRewrite.Fallback ? 1 : 0;
                return rewrite.Query;
            }));
        }

        var results = new List<(string Name, RetrievalMetrics Metrics)>();
        foreach (var (name, query) in variants)
        {
            var questions = new List<QaQuestion>(pairs.Count);
            foreach (var p in pairs)
            {
                questions.Add(new QaQuestion(p.Id, await query(p), p.Answers));
            }

            results.Add((name, RetrievalMetrics.From(await EvalCommand.RanksAsync(search, collection, questions, mode, args))));
        }

        var example = pairs.Count > 0 ? pairs[0] : null;
        if (args.Json)
        {
            return JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["pairs"] = pairs.Count,
                ["mode"] = mode,
                ["llm"] = chat?.Model,
                ["llm_rewrites_that_fell_back"] = chat is null ? null : llmFallbacks,
                ["variants"] = results.ToDictionary(r => r.Name, r => new Dictionary<string, double>
                {
                    ["recall@1"] = Math.Round(r.Metrics.RecallAt1, 4),
                    ["recall@5"] = Math.Round(r.Metrics.RecallAt5, 4),
                    ["recall@20"] = Math.Round(r.Metrics.RecallAt20, 4),
                    ["mrr@10"] = Math.Round(r.Metrics.MrrAt10, 4),
                }),
            });
        }

        var rows = string.Join("\n", results.Select(r => string.Create(CultureInfo.InvariantCulture,
            $"{r.Name,-12} {r.Metrics.RecallAt1,6:0.000} {r.Metrics.RecallAt5,6:0.000} {r.Metrics.RecallAt20,6:0.000} {r.Metrics.MrrAt10,6:0.000}")));
        var llmLine = chat is null
            ? "llm-rewrite: not measured (set RAG_LLM_URL, RAG_LLM_MODEL, RAG_LLM_KEY)"
            : $"llm-rewrite: {chat.Model}, {llmFallbacks} of {pairs.Count} rewrites fell back";
        return $"""
            {Path.GetFileName(args.File)}: {pairs.Count} follow-up pairs (title replaced by a pronoun) | mode={mode}
            e.g. "{example?.Previous}" → "{example?.FollowUp}" (standalone: "{example?.Standalone}")
            {llmLine}
            query          R@1    R@5   R@20 MRR@10
            {rows}
            """;
    }

    /// <summary>The turns before the follow-up: the earlier question and, as the assistant's reply, its first gold answer.</summary>
    private static IReadOnlyList<ConversationTurn> History(ConversationalPair p) =>
        p.PreviousAnswer.Length > 0
            ? [new ConversationTurn(ConversationRole.User, p.Previous), new ConversationTurn(ConversationRole.Assistant, p.PreviousAnswer)]
            : [new ConversationTurn(ConversationRole.User, p.Previous)];

    private static LlmClient? LlmFromEnvironment()
    {
        var url = Environment.GetEnvironmentVariable("RAG_LLM_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        var options = new LlmOptions
        {
            Url = url,
            Model = Environment.GetEnvironmentVariable("RAG_LLM_MODEL") is { Length: > 0 } model ? model : new LlmOptions().Model,
            ApiKey = Environment.GetEnvironmentVariable("RAG_LLM_KEY"),
        };
        return new LlmClient(new SemanticKernelChatClient(options), options.Model);
    }

    private sealed record LlmClient(SemanticKernelChatClient Chat, string Model) : IDisposable
    {
        public void Dispose() => Chat.Dispose();
    }
}
