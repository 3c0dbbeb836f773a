using Microsoft.Extensions.AI;
using RagService.Api.Calibration;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Prompting;
using RagService.Core.Prompting.Pipeline;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Lexical.Lucene.Analysis;
using RagService.Llm;

namespace RagService.Api.Hosting;

/// <summary>The query and ingestion paths of Core, over whatever ports and models the host registered before.</summary>
internal static class RetrievalComposition
{
    /// <summary>
    /// Section Rag:Retrieval (validated here), the fusion calibration and model-fit check when the embedding model
    /// loaded, and the search pipeline (<see cref="SearchPipelineRegistration.AddSearchPipeline"/>).
    /// </summary>
    public static IServiceCollection AddRagRetrieval(this IServiceCollection services, RagOptions rag, IConfiguration configuration, bool embeddingModelLoaded)
    {
        var retrieval = configuration.GetSection("Rag:Retrieval").Get<RetrievalOptions>() ?? new RetrievalOptions();
        retrieval.Calibration.Validate();
        retrieval.ModelFit.Validate();
        retrieval.Neighbours.Validate();
        services.AddSingleton(retrieval).AddSingleton(retrieval.Calibration).AddSingleton(retrieval.ModelFit);
        services.AddSingleton(new AnalyzerCatalog(("mixed", new MixedScriptAnalyzer()), ("smartcn", new SmartCnTextAnalyzer())));
        services.AddSingleton<CalibrationSchedule>();
        services.AddHostedService<CalibrationWorker>();
        if (embeddingModelLoaded)
        {
            services.AddSingleton(new Bm25Parameters { HeaderWeight = rag.HeaderWeight });
            services.AddSingleton<FusionCalibrationService>();
            services.AddSingleton<ModelFitCheck>();
            services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<ModelFitCheck>());
        }

        return services.AddSearchPipeline();
    }

    /// <summary>
    /// Ask: the follow-up rewriter, the context assembler (sections Rag:Conversation, Rag:Context, validated here) and the
    /// ask pipeline (<see cref="AskPipelineRegistration.AddAskPipeline"/>), after the LLM's registration.
    /// </summary>
    public static IServiceCollection AddRagAsk(this IServiceCollection services, RagOptions rag)
    {
        rag.Conversation.Validate();
        rag.Context.Validate();
        services.AddSingleton(rag.Conversation).AddSingleton(rag.Context);
        services.AddSingleton<QuestionRewriter>();
        services.AddSingleton<ITokenCounter, ModelTokenCounter>().AddSingleton<ContextAssembler>();
        return services.AddAskPipeline();
    }

    /// <summary>
    /// Ingestion, resolved from the container so that tests can put a counting embedder in place of the model. Chunk
    /// contexts (Rag:Chunking contextual) are written by the LLM when one is registered, after the LLM's registration.
    /// </summary>
    public static IServiceCollection AddRagIngestion(this IServiceCollection services)
    {
        if (services.HasAnswerModel())
        {
            services.AddSingleton<ChunkContextGenerator>();
        }

        return services.AddSingleton<IngestionService>();
    }
}
