using System.Diagnostics;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Core.Context;

/// <summary>
/// Turns the ranked hits into the prompt's sources within a token budget (small-to-big). Rules:
/// <list type="bullet">
/// <item>Units are whole chunks, never parts: chunks end at sentence ends (a sentence longer than a chunk is the only
/// exception, cut by the chunker), so no sentence is cut here. A chunk that does not fit is left out, not cut.</item>
/// <item>A hit of rank r is worth 1/r; a chunk d places from a hit of rank r, in the same document and section, is worth
/// 1/(r + 2d): the two chunks at distance d (one each side) rank as the next two places after d steps down, so a hit's
/// immediate neighbours compete with the hits two places below it (docs/llm.md has the measured alternatives).</item>
/// <item>Packing is greedy by marginal value. A unit's value is its worth times the tokens it adds (a longer chunk is as
/// much more likely to hold the answer), so its value per token is its worth: the next unit is the worthiest, among the
/// hits and the chunks touching what is taken, whose tokens still fit; one that no longer fits is dropped. Ties go to
/// the hit, then to the better rank.</item>
/// <item>Expansion grows in reading order from what is taken, only within the section (same heading path) and only while
/// the source stays within <see cref="ContextOptions.MaxSourceTokens"/>; a small section is thus taken whole.</item>
/// <item>Chunks of one document that touch form one source with one number; an overlap appears once (<see cref="ChunkJoiner"/>).</item>
/// <item>The total of the sources' tokens never exceeds <see cref="ContextOptions.BudgetTokens"/>: it is measured again on
/// the joined texts, and the last units taken are put back until it fits.</item>
/// <item>Sources are numbered in <see cref="ContextOptions.Order"/>; inside a source, chunks keep reading order.</item>
/// </list>
/// </summary>
public sealed class ContextAssembler(ContextOptions options, ITokenCounter counter)
{
    public ContextOptions Options => options;

    public ITokenCounter Counter => counter;

    public async Task<AssembledContext> AssembleAsync(IReadOnlyList<SearchHit> hits, IChunkNeighbours neighbours, CancellationToken ct)
    {
        if (hits.Count == 0)
        {
            return AssembledContext.Empty;
        }

        var sw = Stopwatch.StartNew();
        var packing = new Packing(hits, neighbours, counter, options.BudgetTokens, options.MaxSourceTokens ?? 3 * hits.Max(h => counter.Count(h.Chunk.Text)));
        await packing.RunAsync(ct);
        var sources = packing.Sources();
        while (sources.Sum(s => s.Tokens) > options.BudgetTokens)
        {
            packing.PutBackLast();
            sources = packing.Sources();
        }

        sources = Arrange(sources).Select((s, i) => s with { Number = i + 1 }).ToList();
        var taken = sources.SelectMany(s => s.Hits).Select(h => h.Chunk.ChunkId).ToHashSet();
        var leftOut = hits.Where(h => !taken.Contains(h.Chunk.ChunkId)).ToList();
        var tokens = sources.Sum(s => s.Tokens);
        var detail = FormattableString.Invariant(
            $"{sources.Count} sources from {hits.Count - leftOut.Count} of {hits.Count} hits, {tokens} of {options.BudgetTokens} tokens ({counter.Name}); ") +
            FormattableString.Invariant(
            $"{sources.Sum(s => s.Expanded.Count)} neighbouring chunks added, {sources.Count(s => s.Hits.Count > 1)} sources merge touching hits; order: {Describe(options.Order)}");
        return new AssembledContext(sources, tokens, options.BudgetTokens, counter.Name, options.Order, leftOut,
            new StageReport("context", "ok", sources.Count, sw.Elapsed.TotalMilliseconds, detail));
    }

    private static string Describe(ContextOrder order) => order switch
    {
        ContextOrder.Edges => "best first, second best last, weakest in the middle",
        _ => "best first",
    };

    /// <summary>Sources come ranked by their best hit; Edges deals them alternately to the front and the back.</summary>
    private List<ContextSource> Arrange(List<ContextSource> ranked)
    {
        if (options.Order != ContextOrder.Edges)
        {
            return ranked;
        }

        var front = ranked.Where((_, i) => i % 2 == 0);
        var back = ranked.Where((_, i) => i % 2 == 1).Reverse();
        return front.Concat(back).ToList();
    }

    /// <summary>The state of one greedy packing: what is taken, in which order, and what was dropped.</summary>
    private sealed class Packing(IReadOnlyList<SearchHit> hits, IChunkNeighbours neighbours, ITokenCounter counter, int budget, int cap)
    {
        private readonly Dictionary<(string Doc, int Ord), StoredChunk> _known = hits.ToDictionary(h => Key(h.Chunk), h => h.Chunk);
        private readonly Dictionary<(string Doc, int Ord), SearchHit> _hitAt = hits.ToDictionary(h => Key(h.Chunk));
        private readonly Dictionary<string, SortedSet<int>> _taken = [];
        private readonly List<(string Doc, int Ord)> _order = [];
        private readonly HashSet<(string Doc, int Ord)> _dropped = [];
        private readonly Dictionary<(long, long), int> _pieceTokens = [];
        private int _total;

        public async Task RunAsync(CancellationToken ct)
        {
            while (true)
            {
                ((string Doc, int Ord) Key, double Value, int Tokens)? best = null;
                foreach (var (key, value) in await CandidatesAsync(ct))
                {
                    var tokens = Marginal(key);
                    if (_total + tokens > budget)
                    {
                        _dropped.Add(key);
                    }
                    else if (best is not { } b || value > b.Value)
                    {
                        best = (key, value, tokens);
                    }
                }

                if (best is not { } pick)
                {
                    return;
                }

                Take(pick.Key);
                _total += pick.Tokens;
            }
        }

        public void PutBackLast()
        {
            var last = _order[^1];
            _order.RemoveAt(_order.Count - 1);
            _taken[last.Doc].Remove(last.Ord);
        }

        /// <summary>The taken chunks as sources: runs of consecutive ordinals per document, ranked by their best hit.</summary>
        public List<ContextSource> Sources()
        {
            var sources = new List<ContextSource>();
            foreach (var (doc, ordinals) in _taken)
            {
                foreach (var run in Runs(ordinals))
                {
                    var chunks = run.Select(o => _known[(doc, o)]).ToList();
                    var runHits = run.Where(o => _hitAt.ContainsKey((doc, o))).Select(o => _hitAt[(doc, o)]).OrderBy(h => h.Rank).ToList();
                    var text = ChunkJoiner.Join(chunks.Select(c => c.Text).ToList());
                    sources.Add(new ContextSource(0, text, chunks, runHits, counter.Count(text)));
                }
            }

            return sources.Where(s => s.Hits.Count > 0).OrderBy(s => s.Hits[0].Rank).ToList();
        }

        /// <summary>Hits not yet taken, and the chunks just outside each taken run that expansion may add, with their value.</summary>
        private async Task<List<((string Doc, int Ord) Key, double Value)>> CandidatesAsync(CancellationToken ct)
        {
            var candidates = new Dictionary<(string Doc, int Ord), double>();
            foreach (var hit in hits)
            {
                var key = Key(hit.Chunk);
                if (!IsTaken(key) && !_dropped.Contains(key))
                {
                    candidates[key] = 1.0 / hit.Rank;
                }
            }

            foreach (var (doc, ordinals) in _taken)
            {
                foreach (var run in Runs(ordinals))
                {
                    var runHits = run.Where(o => _hitAt.ContainsKey((doc, o))).Select(o => (Ord: o, _hitAt[(doc, o)].Rank)).ToList();
                    var runTokens = run.Sum(o => PieceTokens(doc, o, ordinals));
                    foreach (var (outside, inside) in new[] { (run[0] - 1, run[0]), (run[^1] + 1, run[^1]) })
                    {
                        var key = (doc, outside);
                        if (_dropped.Contains(key) || await ChunkAsync(doc, outside, ct) is not { } chunk
                            || !chunk.HeadingPath.SequenceEqual(_known[(doc, inside)].HeadingPath) || runTokens + Marginal(key) > cap)
                        {
                            continue;
                        }

                        var value = runHits.Max(h => 1.0 / (h.Rank + 2 * Math.Abs(outside - h.Ord)));
                        candidates[key] = Math.Max(value, candidates.GetValueOrDefault(key));
                    }
                }
            }

            return candidates.Select(c => (c.Key, c.Value)).ToList();
        }

        private async Task<StoredChunk?> ChunkAsync(string doc, int ordinal, CancellationToken ct)
        {
            if (_known.TryGetValue((doc, ordinal), out var known))
            {
                return known;
            }

            var chunk = await neighbours.GetAsync(doc, ordinal, ct);
            if (chunk is not null)
            {
                _known[(doc, ordinal)] = chunk;
            }

            return chunk;
        }

        /// <summary>Tokens the sources gain when the chunk is taken: its text after its taken predecessor, and its successor's overlap now removed.</summary>
        private int Marginal((string Doc, int Ord) key)
        {
            var ordinals = _taken.GetValueOrDefault(key.Doc) ?? [];
            var with = new SortedSet<int>(ordinals) { key.Ord };
            var before = ordinals.Contains(key.Ord + 1) ? PieceTokens(key.Doc, key.Ord + 1, ordinals) : 0;
            var after = PieceTokens(key.Doc, key.Ord, with) + (with.Contains(key.Ord + 1) ? PieceTokens(key.Doc, key.Ord + 1, with) : 0);
            return after - before;
        }

        /// <summary>Tokens of a taken chunk's share of its source: its text, less the overlap with the chunk before when that is taken too.</summary>
        private int PieceTokens(string doc, int ordinal, SortedSet<int> taken)
        {
            var chunk = _known[(doc, ordinal)];
            var previous = taken.Contains(ordinal - 1) ? _known[(doc, ordinal - 1)] : null;
            var cacheKey = (chunk.ChunkId, previous?.ChunkId ?? -1);
            if (!_pieceTokens.TryGetValue(cacheKey, out var tokens))
            {
                tokens = counter.Count(previous is null ? chunk.Text : ChunkJoiner.Continuation(previous.Text, chunk.Text));
                _pieceTokens[cacheKey] = tokens;
            }

            return tokens;
        }

        private void Take((string Doc, int Ord) key)
        {
            (_taken.TryGetValue(key.Doc, out var set) ? set : _taken[key.Doc] = []).Add(key.Ord);
            _order.Add(key);
        }

        private bool IsTaken((string Doc, int Ord) key) => _taken.TryGetValue(key.Doc, out var set) && set.Contains(key.Ord);

        private static List<List<int>> Runs(SortedSet<int> ordinals)
        {
            var runs = new List<List<int>>();
            foreach (var o in ordinals)
            {
                if (runs.Count > 0 && runs[^1][^1] == o - 1)
                {
                    runs[^1].Add(o);
                }
                else
                {
                    runs.Add([o]);
                }
            }

            return runs;
        }

        private static (string, int) Key(StoredChunk chunk) => (chunk.DocumentId, chunk.Ordinal);
    }
}
