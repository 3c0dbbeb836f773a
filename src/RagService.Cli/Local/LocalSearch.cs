using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;

namespace RagService.Cli.Local;

/// <summary>The query path over a local knowledge base, composed as the service composes it (<see cref="SearchPipelineRegistration"/>).</summary>
internal static class LocalSearch
{
    /// <param name="calibration">Used only with an embedder: calibrated fusion needs dense retrieval.</param>
    public static SearchService Compose(LocalKnowledgeBase kb, AnalyzerCatalog analyzers, ITextEmbedder? embedder, IReranker? reranker,
        RetrievalOptions retrieval, FusionCalibrationService? calibration = null)
    {
        var services = new ServiceCollection().AddSingleton<IKnowledgeStore>(kb.Store).AddSingleton(kb.Lexical).AddSingleton(kb.Vectors).AddSingleton(analyzers).AddSingleton(retrieval);
        if (embedder is not null)
        {
            services.AddSingleton(embedder);
            if (calibration is not null)
            {
                services.AddSingleton(calibration);
            }
        }

        if (reranker is not null)
        {
            services.AddSingleton(reranker);
        }

        // Nothing the provider creates holds a resource: the knowledge base owns the store and the indexes.
        return services.AddSearchPipeline().BuildServiceProvider().GetRequiredService<SearchService>();
    }
}
