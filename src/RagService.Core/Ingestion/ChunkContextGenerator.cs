using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;
using RagService.Core.Prompting;

namespace RagService.Core.Ingestion;

/// <summary>Remembers generated chunk contexts by a hash of what they were generated from.</summary>
public interface IChunkContextCache
{
    Task<string?> GetAsync(string key, CancellationToken ct);

    Task PutAsync(string key, string context, CancellationToken ct);
}

/// <summary>
/// "Contextual retrieval": asks the LLM for one or two sentences that situate a chunk within its document (what it is
/// about, which entity or section it belongs to), to be indexed and embedded with the chunk. Results are cached by a hash
/// of document and chunk, so re-indexing unchanged content (e.g. after a model change) costs no LLM calls.
/// </summary>
public sealed class ChunkContextGenerator(AnswerModel llm, IChunkContextCache cache)
{
    private readonly IChatClient _chat = llm.Chat ?? throw new ArgumentException("AnswerModel.None has no LLM to write contexts with", nameof(llm));

    /// <summary>Documents longer than this are cut before being sent (the chunk itself is always sent whole).</summary>
    public const int MaxDocumentChars = 24_000;

    private const string Instructions = """
        You write a short context for a passage of a document, to improve search retrieval of that passage.
        Answer with one or two sentences, in the language of the document, that say what the passage is about and where it
        sits in the document (the subject, product, person or section it concerns). Answer with the context only.
        """;

    public async Task<string> SituateAsync(string documentText, string chunkText, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(documentText + "\u0000" + chunkText)));
        if (await cache.GetAsync(key, ct) is { } cached)
        {
            return cached;
        }

        var document = documentText.Length > MaxDocumentChars ? documentText[..MaxDocumentChars] : documentText;
        var user = $"<document>\n{document}\n</document>\n\n<passage>\n{chunkText}\n</passage>";
        ChatResponse response;
        try
        {
            response = await _chat.GetResponseAsync(
                [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, user)],
                new ChatOptions { ModelId = llm.Model, Temperature = 0f, MaxOutputTokens = 120 }, ct);
        }
        catch (Exception e) when (e is not (OperationCanceledException or LlmUnavailableException))
        {
            throw new LlmUnavailableException($"the LLM endpoint failed while writing chunk contexts ({e.GetType().Name})", e is TimeoutException, e);
        }

        var context = response.Text.Trim();
        await cache.PutAsync(key, context, ct);
        return context;
    }
}
