using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Stages;
using RagService.Core.Storage;

namespace RagService.Core.Retrieval.Pipeline;

/// <summary>Composes the query path once, from what the container holds.</summary>
public static class SearchPipelineRegistration
{
    /// <summary>
    /// Registers <see cref="SearchService"/> and its stages in the order they run. Call it after the ports are
    /// registered: the store, the lexical and vector indexes, the analyzers, and, when configured, the embedder
    /// (<see cref="ITextEmbedder"/>), the cross-encoder (<see cref="IReranker"/>), the highlighter, the fusion calibration,
    /// the chunk cache and a local copy of the chunk records (<see cref="HitChunkSource"/>). Each optional stage whose
    /// port is absent is its null object, reporting "off".
    /// Add a stage of your own afterwards with <see cref="AddSearchStage{TStage}"/>: it runs after the built-in ones.
    /// </summary>
    public static IServiceCollection AddSearchPipeline(this IServiceCollection services)
    {
        services.TryAddSingleton(new RetrievalOptions());
        services.TryAddSingleton(sp => new HitChunkSource(sp.GetService<ChunkCache>(), sp.GetService<ILocalChunkCopy>()));
        AddStage<CalibrationLookupStage>(services, services.Has<FusionCalibrationService>() && services.Has<ITextEmbedder>() && services.Has<IVectorSearchIndex>(), null);
        services.AddSearchStage<LexicalRetrievalStage>();
        AddStage<DenseRetrievalStage>(services, services.Has<ITextEmbedder>() && services.Has<IVectorSearchIndex>(), DenseRetrievalStage.Off);
        services.AddSearchStage<FusionStage>();
        services.AddSearchStage<NeighbourStage>();
        AddStage<RerankStage>(services, services.Has<IReranker>(), RerankStage.Off);
        services.AddSearchStage<FetchStage>();
        AddStage<HighlightStage>(services, services.Has<IHitHighlighter>(), null);
        services.AddSearchStage<LexicalFloorStage>();
        services.AddSingleton<SearchPipeline>();
        services.AddSingleton<SearchService>();
        return services;
    }

    /// <summary>Appends a stage to the query path: one class, one line.</summary>
    public static IServiceCollection AddSearchStage<TStage>(this IServiceCollection services)
        where TStage : class, ISearchStage
    {
        services.AddSingleton<ISearchStage, TStage>();
        return services;
    }

    private static void AddStage<TStage>(IServiceCollection services, bool configured, OffStage? off)
        where TStage : class, ISearchStage
    {
        if (configured)
        {
            services.AddSearchStage<TStage>();
        }
        else if (off is not null)
        {
            services.AddSingleton<ISearchStage>(off);
        }
    }

    private static bool Has<T>(this IServiceCollection services) => services.Any(d => d.ServiceType == typeof(T));
}
