using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Context;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Prompting.Stages;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;
using RagService.Core.Text;
using RagService.Llm.Prompting;

namespace RagService.Core.Tests;

/// <summary>
/// How the ask path is composed: its stages run in order before the LLM, a stage is one class and one registration line
/// (a no-op "audit" stage), and without an LLM the answer stage is its null object ("not configured").
/// </summary>
public sealed class AskPipelineTests
{
    private static readonly CollectionInfo Collection = new(7, "c", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private static readonly RetrievalOptions NoNeighbours = new() { Neighbours = new NeighbourEvidenceOptions { Window = 0 } };
    private static readonly SearchQuery Query = new() { Query = "alpha", TopK = 2, Fusion = FusionMethod.Rrf };

    private readonly FakeKnowledgeStore _store = new();

    public AskPipelineTests()
    {
        for (var id = 1; id <= 4; id++)
        {
            _store.Add(id, $"passage {id}", documentKey: id * 10, ordinal: 0);
        }
    }

    /// <summary>The worked example: it records what the earlier stages left for the LLM and changes nothing.</summary>
    private sealed class AuditStage(AuditLog log) : IAskStage
    {
        public Task<StageReport?> RunAsync(AskContext context)
        {
            log.Seen.Add((context.Prompt?.User, context.Context.Sources.Count, log.Chat.Prompts.Count));
            return Task.FromResult<StageReport?>(null);
        }
    }

    private sealed class AuditLog(RecordingChat chat)
    {
        public RecordingChat Chat => chat;

        public List<(string? PromptUser, int Sources, int LlmCallsBefore)> Seen { get; } = [];
    }

    private (AskService Ask, AskPipeline Pipeline) Compose(RecordingChat? chat, ILexicalSearchIndex? lexical = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection().AddSingleton<IKnowledgeStore>(_store)
            .AddSingleton(lexical ?? new FakeLexicalIndex(new ScoredChunk(1, 9), new ScoredChunk(2, 5), new ScoredChunk(3, 1)))
            .AddSingleton(new AnalyzerCatalog(new MixedScriptAnalyzer())).AddSingleton(NoNeighbours)
            .AddSingleton<IVectorSearchIndex>(new FakeVectorIndex(new ScoredChunk(3, 0.9), new ScoredChunk(1, 0.8)))
            .AddSingleton<ITextEmbedder>(new FakeEmbedder())
            .AddSingleton<IAnswerPromptRenderer, AnswerPromptTemplate>().AddSingleton<IRewritePromptRenderer, RewritePromptTemplate>()
            .AddSingleton(new ConversationOptions()).AddSingleton(new ContextOptions()).AddSingleton<ITokenCounter, CharacterTokenCounter>()
            .AddSingleton<QuestionRewriter>().AddSingleton<ContextAssembler>()
            .AddSingleton(chat is null ? AnswerModel.None : new AnswerModel(chat, "m1"));
        services.AddSearchPipeline().AddAskPipeline();
        more?.Invoke(services);
        var provider = services.BuildServiceProvider();
        return (provider.GetRequiredService<AskService>(), provider.GetRequiredService<AskPipeline>());
    }

    [Fact]
    public void The_stages_run_in_the_documented_order()
    {
        var (_, pipeline) = Compose(new RecordingChat("answer"));

        Assert.Equal([typeof(RewriteStage), typeof(RetrievalStage), typeof(ContextStage), typeof(PromptStage), typeof(RelevanceStage)],
            pipeline.Stages.Select(s => s.GetType()));
    }

    [Fact]
    public async Task An_added_audit_stage_runs_after_the_prompt_is_built_and_before_the_llm_and_changes_nothing()
    {
        var chat = new RecordingChat("the answer [1]");
        var audit = new AuditLog(chat);
        var (ask, pipeline) = Compose(chat, more: services => services.AddSingleton(audit).AddAskStage<AuditStage>());

        var outcome = await ask.AskAsync(Collection, Query, [], default);

        Assert.IsType<AuditStage>(pipeline.Stages[^1]);
        var seen = Assert.Single(audit.Seen);
        // bm25 [1,2,3] and dense [3,1] fused by rrf: 1 and 3 are the top 2, two documents, so two sources.
        Assert.Equal((2, 0), (seen.Sources, seen.LlmCallsBefore));
        Assert.Equal(chat.Prompts.Single(), seen.PromptUser);
        Assert.Equal(("the answer [1]", "ok", "m1"), (outcome.Answer, outcome.Llm, outcome.Model));
        Assert.Equal([1L, 3], outcome.Retrieval.Hits.Select(h => h.Chunk.ChunkId));
    }

    [Fact]
    public async Task Without_its_registration_line_the_audit_stage_is_gone()
    {
        var (ask, pipeline) = Compose(new RecordingChat("the answer [1]"));

        var outcome = await ask.AskAsync(Collection, Query, [], default);

        Assert.DoesNotContain(pipeline.Stages, s => s is AuditStage);
        Assert.Equal(("the answer [1]", "ok"), (outcome.Answer, outcome.Llm));
        Assert.Equal(new StageReport("llm", "ok", 0, 12.5, "m1"), outcome.LlmStage(12.5));
    }

    [Fact]
    public async Task Without_an_llm_the_answer_stage_is_its_null_object_returning_the_prompt_and_no_answer()
    {
        var (ask, _) = Compose(chat: null);

        Assert.False(ask.LlmConfigured);
        var outcome = await ask.AskAsync(Collection, Query, [], default);
        Assert.Equal((null, "not configured", null), (outcome.Answer, outcome.Llm, outcome.Model));
        Assert.Contains("passage 1", outcome.Prompt.User, StringComparison.Ordinal);
        Assert.Equal(2, outcome.Context.Sources.Count);
        Assert.Equal(new StageReport("llm", "off", 0, 0, "no LLM configured (RAG_LLM_URL)"), outcome.LlmStage(12.5));

        var (start, tokens) = await ask.StreamAsync(Collection, Query, [], default);
        Assert.Equal("not configured", start.Llm);
        Assert.Empty(await tokens.ToListAsync());
    }

    [Fact]
    public async Task Nothing_retrieved_answers_not_found_without_calling_the_llm()
    {
        var chat = new RecordingChat("never");
        var (ask, _) = Compose(chat, lexical: new FakeLexicalIndex());
        var nothing = new SearchQuery { Query = "alpha", TopK = 2, Mode = RetrievalMode.Bm25 };

        var outcome = await ask.AskAsync(Collection, nothing, [], default);
        var (start, tokens) = await ask.StreamAsync(Collection, nothing with { Query = "它多少钱？" }, [], default);

        Assert.Equal((AskService.NotFoundEnglish, "skipped"), (outcome.Answer, outcome.Llm));
        Assert.Equal(new StageReport("llm", "skipped", 0, 0, "no source relevant enough (Rag:Retrieval:RelevanceFloor); answered 'not found'"), outcome.LlmStage(12.5));
        Assert.Equal((AskService.NotFoundChinese, "skipped"), (start.Answer, start.Llm));
        Assert.Equal([AskService.NotFoundChinese], await tokens.ToListAsync());
        Assert.Empty(chat.Prompts);
    }

    [Fact]
    public async Task A_follow_up_is_retrieved_as_rewritten_while_the_prompt_keeps_the_question_as_asked()
    {
        var chat = new RecordingChat("alpha standalone");
        var lexical = new FakeLexicalIndex(new ScoredChunk(1, 9));
        var (ask, _) = Compose(chat, lexical);
        ConversationTurn[] history = [new(ConversationRole.User, "tell me about alpha"), new(ConversationRole.Assistant, "it is a letter")];

        var outcome = await ask.AskAsync(Collection, Query with { Query = "and its price?" }, history, default);

        Assert.Equal(("alpha standalone", "ok"), (outcome.Rewrite?.Query, outcome.Rewrite?.Status));
        Assert.Equal(["alpha", "standalone"], Assert.Single(lexical.Searches).Terms);
        Assert.Equal(2, chat.Prompts.Count);
        Assert.Contains("and its price?", chat.Prompts[1], StringComparison.Ordinal);
        Assert.DoesNotContain("alpha standalone", chat.Prompts[1], StringComparison.Ordinal);
    }

    /// <summary>Answers every call with the same text and keeps each call's user message.</summary>
    private sealed class RecordingChat(string answer) : IChatClient
    {
        public List<string> Prompts { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Prompts.Add(messages.Last().Text);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, answer)) { ModelId = options?.ModelId });
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
