using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;
using RagService.Core.Text;

namespace RagService.Core.Prompting.Stages;

/// <summary>
/// Decides whether the LLM is asked at all: not when retrieval found nothing, when the lexical floor found nothing
/// specific, or when the best rerank score is under Rag:Retrieval:RelevanceFloor. Then the answer is "not found", in
/// Chinese when the question has a CJK character, else in English.
/// </summary>
public sealed class RelevanceStage(RetrievalOptions options) : IAskStage
{
    public Task<StageReport?> RunAsync(AskContext context)
    {
        if (context.Retrieval is { } retrieval && IsBelowFloor(retrieval))
        {
            context.NotFound = NotFound(context.Query.Query);
        }

        return Task.FromResult<StageReport?>(null);
    }

    private bool IsBelowFloor(SearchOutcome retrieval)
    {
        if (retrieval.Hits.Count == 0 || retrieval.NothingSpecificMatched)
        {
            return true;
        }

        return options.RelevanceFloor is { } floor && retrieval.Hits[0].Provenance.RerankScore is { } best && best < floor;
    }

    private static string NotFound(string question) =>
        question.Where((_, i) => MixedScriptAnalyzer.IsCjk(question, i)).Any() ? AskService.NotFoundChinese : AskService.NotFoundEnglish;
}
