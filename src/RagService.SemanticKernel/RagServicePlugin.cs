using System.ComponentModel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;
using RagService.Client;
using RagService.Client.Models;

namespace RagService.SemanticKernel;

/// <summary>
/// Kernel functions over one RagService collection: <c>search</c> (passages with citations, for the model to answer
/// from) and <c>ask</c> (the service's own cited answer). Add it with
/// <see cref="RagServiceKernelExtensions.AddRagServicePlugin"/>.
/// </summary>
public sealed class RagServicePlugin
{
    private readonly RagServiceClient _client;
    private readonly string _collection;
    private readonly CitationMapper _citations;
    private readonly ChatHistory? _conversation;

    /// <param name="serviceAddress">The service's root address, for the citation links.</param>
    /// <param name="conversation">
    /// The chat the plugin serves, when the application has one: <c>ask</c> then sends its earlier user and assistant turns
    /// with the question, so the service can retrieve a follow-up ("what about the second one?") as a standalone question.
    /// </param>
    public RagServicePlugin(RagServiceClient client, Uri serviceAddress, string collection, ChatHistory? conversation = null)
    {
        _client = client;
        _collection = collection;
        _citations = new CitationMapper(serviceAddress, collection);
        _conversation = conversation;
    }

    /// <summary>Most earlier turns <c>ask</c> sends with the question (the newest ones).</summary>
    public int MaxHistoryTurns { get; init; } = 6;

    /// <summary>The passages of the knowledge base that best match a query.</summary>
    [KernelFunction("search")]
    [Description("Searches the knowledge base and returns the most relevant passages, each with a number, the document name, a link and the text. " +
        "Use it for any question about the documents; answer only from the passages and cite them by name or link.")]
    public async Task<IReadOnlyList<Citation>> SearchAsync(
        [Description("What to look for: the user's question or its key words, in the language of the documents.")] string query,
        [Description("How many passages to return (1-20).")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        var result = await _client.SearchAsync(_collection, query, new SearchOptions(TopK: Math.Clamp(top, 1, 20)), cancellationToken);
        return result.Hits.Select((h, i) => _citations.Map(h, i + 1)).ToList();
    }

    /// <summary>The service's own answer, written by its LLM from the knowledge base, with the sources it cites.</summary>
    [KernelFunction("ask")]
    [Description("Asks the knowledge base service to answer a question itself. Returns its answer, whose [n] marks refer to the numbered sources " +
        "returned with it. Prefer 'search' when you want to write the answer yourself.")]
    public async Task<KnowledgeAnswer> AskAsync(
        [Description("The question, as the user asked it.")] string question,
        CancellationToken cancellationToken = default)
    {
        var result = await _client.AskAsync(_collection, question, ct: cancellationToken, history: EarlierTurns());
        return new KnowledgeAnswer(result.Answer ?? "(the service has no LLM configured; use the sources)",
            result.Sources.Select((h, i) => _citations.Map(h, i + 1)).ToList());
    }

    /// <summary>
    /// The user and assistant text turns before the newest user message (that one is the turn being answered; what
    /// follows it are this turn's function calls); function calls and results carry no text and are left out.
    /// </summary>
    private List<ConversationTurn>? EarlierTurns()
    {
        if (_conversation is null)
        {
            return null;
        }

        var current = _conversation.Count - 1;
        while (current >= 0 && _conversation[current].Role != AuthorRole.User)
        {
            current--;
        }

        return _conversation.Take(Math.Max(current, 0))
            .Where(m => (m.Role == AuthorRole.User || m.Role == AuthorRole.Assistant) && !string.IsNullOrWhiteSpace(m.Content))
            .Select(m => m.Role == AuthorRole.User ? ConversationTurn.User(m.Content!) : ConversationTurn.Assistant(m.Content!))
            .TakeLast(MaxHistoryTurns)
            .ToList();
    }
}

/// <summary>The service's answer and the sources its [n] marks refer to.</summary>
public sealed record KnowledgeAnswer(string Answer, IReadOnlyList<Citation> Sources);
