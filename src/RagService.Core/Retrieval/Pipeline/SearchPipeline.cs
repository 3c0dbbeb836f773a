using System.Diagnostics;

namespace RagService.Core.Retrieval.Pipeline;

/// <summary>
/// Runs the search stages in their registered order, consecutive retrievers (<see cref="IRetrievalStage"/>) side by
/// side, timing each and collecting its report. A stage that throws stops the search; a retriever that may fail without
/// taking the search down reports "failed" itself.
/// </summary>
public sealed class SearchPipeline(IEnumerable<ISearchStage> stages)
{
    private readonly IReadOnlyList<ISearchStage> _stages = stages.ToList();

    /// <summary>The stages in the order they run.</summary>
    public IReadOnlyList<ISearchStage> Stages => _stages;

    /// <summary>Whether the stage named <paramref name="name"/> is registered and not a null <see cref="OffStage"/>.</summary>
    public bool IsOn(string name) => _stages.Any(s => s.Name == name && s is not OffStage);

    public void Admit(SearchQuery query)
    {
        foreach (var stage in _stages)
        {
            stage.Admit(query);
        }
    }

    public async Task<IReadOnlyList<StageReport>> RunAsync(SearchContext context)
    {
        var reports = new List<StageReport>();
        for (var i = 0; i < _stages.Count;)
        {
            var group = _stages.Skip(i).TakeWhile(s => s is IRetrievalStage).ToList();
            if (group.Count == 0)
            {
                group = [_stages[i]];
            }

            // Task.Run so the retrievers really overlap even when one completes synchronously; awaited in order.
            var running = group.Count == 1 ? [TimedAsync(group[0], context)] : group.Select(s => Task.Run(() => TimedAsync(s, context))).ToList();
            foreach (var run in running)
            {
                if (await run is { } report)
                {
                    reports.Add(report);
                }
            }

            i += group.Count;
        }

        return reports;
    }

    private static async Task<StageReport?> TimedAsync(ISearchStage stage, SearchContext context)
    {
        var watch = Stopwatch.StartNew();
        var result = await stage.RunAsync(context);
        return result?.ToReport(stage.Name, watch.Elapsed.TotalMilliseconds);
    }
}
