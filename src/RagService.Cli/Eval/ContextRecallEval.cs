using System.Globalization;
using RagService.Core.Context;
using RagService.Core.Retrieval;

namespace RagService.Cli.Eval;

/// <summary>
/// `rag eval --context-budget N[,N…]`: for every question, mode, budget and hit depth, the sources block two ways from
/// the same hits: "today" (the hits as they are, in rank order, while whole ones fit: the prompt before the context
/// stage) and "assembled" (<see cref="ContextAssembler"/> with the service's defaults but the budget, exactly as ask).
/// Context recall = share of questions with a gold answer inside one source's text.
/// </summary>
internal sealed class ContextRecallEval(IChunkNeighbours neighbours, ITokenCounter counter, IReadOnlyList<int> budgets, IReadOnlyList<int> depths)
{
    private readonly Dictionary<(string Mode, int Hits, int Budget, string Assembly), Tally> _tallies = [];

    public string Counter => counter.Name;

    public async Task AddAsync(string mode, QaQuestion question, IReadOnlyList<SearchHit> hits)
    {
        foreach (var depth in depths)
        {
            var top = hits.Take(depth).ToList();
            foreach (var budget in budgets)
            {
                var today = AsRetrieved(top, budget);
                TallyOf(mode, depth, budget, "today").Add(question, today.Select(h => h.Chunk.Text).ToList(), today.Sum(h => counter.Count(h.Chunk.Text)));
                var assembled = await new ContextAssembler(new ContextOptions { BudgetTokens = budget }, counter).AssembleAsync(top, neighbours, CancellationToken.None);
                TallyOf(mode, depth, budget, "assembled").Add(question, assembled.Sources.Select(s => s.Text).ToList(), assembled.Tokens);
            }
        }
    }

    /// <summary>The hits as the prompt held them before the context stage, cut at the first that no longer fits.</summary>
    private List<SearchHit> AsRetrieved(IReadOnlyList<SearchHit> hits, int budget)
    {
        var taken = new List<SearchHit>();
        var tokens = 0;
        foreach (var hit in hits)
        {
            var t = counter.Count(hit.Chunk.Text);
            if (tokens + t > budget)
            {
                break;
            }

            taken.Add(hit);
            tokens += t;
        }

        return taken;
    }

    private Tally TallyOf(string mode, int depth, int budget, string assembly) =>
        _tallies.TryGetValue((mode, depth, budget, assembly), out var t) ? t : _tallies[(mode, depth, budget, assembly)] = new Tally();

    public string ToTable(IReadOnlyDictionary<string, RetrievalMetrics> recall)
    {
        var lines = new List<string>
        {
            $"context recall (gold answer inside one source), tokens by {counter.Name}; today = hits as retrieved, whole, in rank order while they fit",
            "mode           hits budget   R@5   | today: recall tokens sources | assembled: recall tokens sources",
        };
        foreach (var ((mode, depth, budget, _), today) in _tallies.Where(t => t.Key.Assembly == "today"))
        {
            var assembled = _tallies[(mode, depth, budget, "assembled")];
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-14} {depth,4} {budget,6} {recall[mode].RecallAt5,6:0.000} |        {today.Recall,6:0.000} {today.MeanTokens,6:0} {today.MeanSources,7:0.00} |            {assembled.Recall,6:0.000} {assembled.MeanTokens,6:0} {assembled.MeanSources,7:0.00}"));
        }

        return string.Join("\n", lines);
    }

    public object ToJson() => _tallies.GroupBy(t => t.Key.Mode).ToDictionary(m => m.Key, m => m.GroupBy(t => t.Key.Hits).ToDictionary(
        d => d.Key.ToString(CultureInfo.InvariantCulture), d => d.GroupBy(t => t.Key.Budget).ToDictionary(
            b => b.Key.ToString(CultureInfo.InvariantCulture), b => b.ToDictionary(t => t.Key.Assembly, t => new Dictionary<string, double>
            {
                ["context_recall"] = Math.Round(t.Value.Recall, 4),
                ["mean_tokens"] = Math.Round(t.Value.MeanTokens, 1),
                ["max_tokens"] = t.Value.MaxTokens,
                ["mean_sources"] = Math.Round(t.Value.MeanSources, 2),
            }))));

    private sealed class Tally
    {
        private int _questions, _found, _sources;
        private long _tokens;

        public int MaxTokens { get; private set; }

        public double Recall => _questions == 0 ? 0 : (double)_found / _questions;

        public double MeanTokens => _questions == 0 ? 0 : (double)_tokens / _questions;

        public double MeanSources => _questions == 0 ? 0 : (double)_sources / _questions;

        public void Add(QaQuestion question, IReadOnlyList<string> sources, int tokens)
        {
            _questions++;
            _found += sources.Any(s => question.Answers.Any(a => s.Contains(a, StringComparison.Ordinal))) ? 1 : 0;
            _sources += sources.Count;
            _tokens += tokens;
            MaxTokens = Math.Max(MaxTokens, tokens);
        }
    }
}

/// <summary>Remembers token counts by text: an eval counts the same chunks for every question, mode and budget.</summary>
internal sealed class RememberingTokenCounter(ITokenCounter inner) : ITokenCounter
{
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    public string Name => inner.Name;

    public int Count(string text) => _counts.TryGetValue(text, out var n) ? n : _counts[text] = inner.Count(text);
}
