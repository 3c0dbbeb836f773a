using System.Runtime.CompilerServices;
using Microsoft.SemanticKernel.Data;
using RagService.Client;
using RagService.Client.Models;

namespace RagService.SemanticKernel;

/// <summary>
/// Semantic Kernel's <see cref="ITextSearch{TRecord}"/> over one RagService collection, with the service's
/// <see cref="SearchHit"/> as record. Text search results carry the citation name (title › section), a link to the
/// document and the passage text. Top and Skip page the ranking; a Filter expression is applied to the hits the
/// service returned (server-side filters go in the defaults' <see cref="SearchOptions.Filter"/>).
/// </summary>
public sealed class RagServiceTextSearch : ITextSearch<SearchHit>
{
    private readonly RagServiceClient _client;
    private readonly string _collection;
    private readonly SearchOptions _defaults;
    private readonly CitationMapper _citations;

    /// <param name="serviceAddress">The service's root address, for the citation links.</param>
    /// <param name="defaults">Retrieval options for every search (mode, rerank, filter); TopK comes from the search options.</param>
    public RagServiceTextSearch(RagServiceClient client, Uri serviceAddress, string collection, SearchOptions? defaults = null)
    {
        _client = client;
        _collection = collection;
        _defaults = defaults ?? new SearchOptions();
        _citations = new CitationMapper(serviceAddress, collection);
    }

    /// <summary>The passages' text.</summary>
    public async Task<KernelSearchResults<string>> SearchAsync(string query, TextSearchOptions<SearchHit>? searchOptions = null, CancellationToken cancellationToken = default)
    {
        var hits = await HitsAsync(query, searchOptions, cancellationToken);
        return new KernelSearchResults<string>(Stream(hits.Select(h => h.Hit.Text), cancellationToken));
    }

    /// <summary>The passages as citations: <see cref="TextSearchResult.Name"/>, <see cref="TextSearchResult.Link"/> and the text.</summary>
    public async Task<KernelSearchResults<TextSearchResult>> GetTextSearchResultsAsync(string query, TextSearchOptions<SearchHit>? searchOptions = null, CancellationToken cancellationToken = default)
    {
        var hits = await HitsAsync(query, searchOptions, cancellationToken);
        return new KernelSearchResults<TextSearchResult>(Stream(hits.Select(h =>
        {
            var c = _citations.Map(h.Hit, h.Number);
            return new TextSearchResult(c.Text) { Name = c.Name, Link = c.Link };
        }), cancellationToken));
    }

    /// <summary>The service's hits (<see cref="SearchHit"/>), with every score.</summary>
    public async Task<KernelSearchResults<SearchHit>> GetSearchResultsAsync(string query, TextSearchOptions<SearchHit>? searchOptions = null, CancellationToken cancellationToken = default)
    {
        var hits = await HitsAsync(query, searchOptions, cancellationToken);
        return new KernelSearchResults<SearchHit>(Stream(hits.Select(h => h.Hit), cancellationToken));
    }

    private async Task<List<(SearchHit Hit, int Number)>> HitsAsync(string query, TextSearchOptions<SearchHit>? options, CancellationToken ct)
    {
        var top = options?.Top ?? 5;
        var skip = options?.Skip ?? 0;
        var result = await _client.SearchAsync(_collection, query, _defaults with { TopK = top + skip }, ct);
        var keep = options?.Filter?.Compile() ?? (_ => true);
        return result.Hits.Skip(skip).Select((h, i) => (h, skip + i + 1)).Where(x => keep(x.h)).ToList();
    }

    private static async IAsyncEnumerable<T> Stream<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.CompletedTask;
        foreach (var item in items)
        {
            ct.ThrowIfCancellationRequested();
            yield return item;
        }
    }
}
