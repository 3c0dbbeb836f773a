using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Prompting.Stages;

namespace RagService.Core.Prompting.Pipeline;

/// <summary>Composes the ask path once, from what the container holds.</summary>
public static class AskPipelineRegistration
{
    /// <summary>
    /// Registers <see cref="AskService"/>, its stages in the order they run (rewrite, retrieval, context, prompt,
    /// relevance) and the answer stage: <see cref="LlmAnswerStage"/> when an LLM is registered as the
    /// <see cref="AnswerModel"/>, else its null object. Call it after the search pipeline, the prompt templates, the
    /// question rewriter, the context assembler and the <see cref="AnswerModel"/> are registered.
    /// Add a stage of your own afterwards with <see cref="AddAskStage{TStage}"/>: it runs after the built-in ones, before the LLM.
    /// </summary>
    public static IServiceCollection AddAskPipeline(this IServiceCollection services)
    {
        services.AddAskStage<RewriteStage>().AddAskStage<RetrievalStage>().AddAskStage<ContextStage>().AddAskStage<PromptStage>().AddAskStage<RelevanceStage>();
        if (services.HasAnswerModel())
        {
            services.AddSingleton<IAnswerStage, LlmAnswerStage>();
        }
        else
        {
            services.AddSingleton(LlmAnswerStage.Off);
        }

        return services.AddSingleton<AskPipeline>().AddSingleton<AskService>();
    }

    /// <summary>Appends a stage to the ask path before the LLM: one class, one line.</summary>
    public static IServiceCollection AddAskStage<TStage>(this IServiceCollection services)
        where TStage : class, IAskStage =>
        services.AddSingleton<IAskStage, TStage>();
}
