using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Tests.Shared;

/// <summary>A <see cref="SearchService"/> composed the way the host composes it (<see cref="SearchPipelineRegistration"/>), from the given ports.</summary>
public static class SearchComposition
{
    public static SearchService Compose(IKnowledgeStore store, ILexicalSearchIndex lexical, AnalyzerCatalog analyzers, IVectorSearchIndex? vectors = null,
        ITextEmbedder? embedder = null, IReranker? reranker = null, RetrievalOptions? options = null, IHitHighlighter? highlighter = null,
        FusionCalibrationService? calibration = null, Action<IServiceCollection>? more = null)
    {
        var services = new ServiceCollection().AddSingleton(store).AddSingleton(lexical).AddSingleton(analyzers);
        AddIfGiven(services, vectors);
        AddIfGiven(services, options);
        AddIfGiven(services, highlighter);
        AddIfGiven(services, calibration);
        AddIfGiven(services, embedder);
        AddIfGiven(services, reranker);
        services.AddSearchPipeline();
        more?.Invoke(services);
        return services.BuildServiceProvider().GetRequiredService<SearchService>();
    }

    private static void AddIfGiven<T>(IServiceCollection services, T? instance)
        where T : class
    {
        if (instance is not null)
        {
            services.AddSingleton(instance);
        }
    }
}
