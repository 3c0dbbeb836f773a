using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Context;

/// <summary>
/// One numbered source of the prompt: a run of consecutive chunks of one document, grown from one or more hits.
/// </summary>
/// <param name="Number">Its citation number: [Number] in the answer cites it.</param>
/// <param name="Text">The chunks joined in reading order, each overlap once (<see cref="ChunkJoiner"/>).</param>
/// <param name="Chunks">Its chunks in reading order.</param>
/// <param name="Hits">The retrieved hits inside it, best first; Hits[0] stands for the source (title, scores).</param>
/// <param name="Tokens">Its text measured by the budget's counter.</param>
public sealed record ContextSource(int Number, string Text, IReadOnlyList<StoredChunk> Chunks, IReadOnlyList<SearchHit> Hits, int Tokens)
{
    public StoredChunk First => Chunks[0];

    public string DocumentId => First.DocumentId;

    public string? Title => First.DocumentTitle;

    /// <summary>The distinct heading paths of its chunks, in reading order (one, unless two touching hits sat in different sections).</summary>
    public IReadOnlyList<IReadOnlyList<string>> Sections => Chunks.Select(c => c.HeadingPath)
        .Aggregate(new List<IReadOnlyList<string>>(), (all, p) =>
        {
            if (!all.Any(known => known.SequenceEqual(p)))
            {
                all.Add(p);
            }

            return all;
        });

    public int? FirstPage => Chunks.Select(c => c.Page).FirstOrDefault(p => p is not null);

    public int? LastPage => Chunks.Select(c => c.Page).LastOrDefault(p => p is not null);

    /// <summary>"3" or "3-5", null when the document has no pages.</summary>
    public string? Pages => (FirstPage, LastPage) switch
    {
        ({ } first, { } last) when last != first => FormattableString.Invariant($"{first}-{last}"),
        ({ } first, _) => first.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    public DateTimeOffset UpdatedAt => First.UpdatedAt;

    /// <summary>Chunks taken for context that no retriever returned (the expansion).</summary>
    public IReadOnlyList<StoredChunk> Expanded => Chunks.Where(c => Hits.All(h => h.Chunk.ChunkId != c.ChunkId)).ToList();

    /// <summary>A single hit as its own source, unexpanded (what the prompt held before context assembly).</summary>
    public static ContextSource Of(SearchHit hit, int number, int tokens = 0) => new(number, hit.Chunk.Text, [hit.Chunk], [hit], tokens);
}

/// <summary>The sources block's content and how it was put together.</summary>
/// <param name="LeftOut">Hits that are in no source: no room in the budget.</param>
public sealed record AssembledContext(IReadOnlyList<ContextSource> Sources, int Tokens, int BudgetTokens, string Counter, ContextOrder Order,
    IReadOnlyList<SearchHit> LeftOut, StageReport Stage)
{
    public static readonly AssembledContext Empty = new([], 0, 0, "", ContextOrder.Rank, [], new StageReport("context", "skipped", 0, 0, "no hits"));
}
