namespace RagService.Core.Retrieval.Pipeline;

/// <summary>
/// One step of the query path with one job: it reads and writes the request's <see cref="SearchContext"/> and says what
/// became of it. Stages run in the order they were registered (<see cref="SearchPipelineRegistration"/>).
/// </summary>
public interface ISearchStage
{
    /// <summary>The stage's name in the response's "stages" array and in the traces.</summary>
    string Name { get; }

    /// <summary>
    /// Refuses, before any stage runs, a query this stage cannot serve (throw <see cref="StageUnavailableException"/>
    /// naming the setting that turns it on). Most stages accept every query.
    /// </summary>
    void Admit(SearchQuery query)
    {
    }

    /// <summary>Runs the stage; null when it has nothing to report for this request (it is left out of "stages").</summary>
    Task<StageResult?> RunAsync(SearchContext context);
}

/// <summary>A retriever: consecutive retrieval stages run side by side, each on its own thread.</summary>
public interface IRetrievalStage : ISearchStage;
