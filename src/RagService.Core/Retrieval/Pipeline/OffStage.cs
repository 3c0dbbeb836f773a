namespace RagService.Core.Retrieval.Pipeline;

/// <summary>
/// The null object of an optional stage that is not configured: it always reports "off" with the reason, and refuses
/// a query that explicitly asks for it (<paramref name="refusal"/> returns the message, or null to accept).
/// </summary>
public sealed class OffStage(string name, string reason, Func<SearchQuery, string?> refusal) : ISearchStage
{
    public string Name => name;

    public void Admit(SearchQuery query)
    {
        if (refusal(query) is { } message)
        {
            throw new StageUnavailableException(message);
        }
    }

    public Task<StageResult?> RunAsync(SearchContext context) => Task.FromResult<StageResult?>(StageResult.Off(reason));
}
