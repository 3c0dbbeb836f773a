using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Core.Resilience;
using RagService.Llm.Chat;
using RagService.Llm.Health;
using RagService.Llm.Prompting;

namespace RagService.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>DI key of the "llm" <see cref="DependencyCircuit"/> the chat client and the readiness probe share.</summary>
    public const string LlmCircuitKey = "llm";

    /// <summary>
    /// Registers the answer and rewrite prompt templates (always: the prompt is returned even without an LLM) and, when
    /// <see cref="LlmOptions.Url"/> is set, the Semantic Kernel chat client as <see cref="IChatClient"/> (and as the <see cref="AnswerModel"/>,
    /// otherwise <see cref="AnswerModel.None"/>) and the
    /// readiness probe, sharing one circuit breaker. Invalid options throw at start-up with the setting to fix.
    /// </summary>
    public static IServiceCollection AddRagLlm(this IServiceCollection services, LlmOptions options)
    {
        options.Validate();
        services.AddSingleton<IAnswerPromptRenderer, AnswerPromptTemplate>();
        services.AddSingleton<IRewritePromptRenderer, RewritePromptTemplate>();
        if (options.IsConfigured)
        {
            services.AddSingleton(options);
            services.AddKeyedSingleton(LlmCircuitKey, (sp, _) => LlmCircuit.Create(options, sp.GetKeyedService<TimeProvider>(DependencyCircuit.ClockKey)));
            services.AddSingleton<IChatClient>(sp => new SemanticKernelChatClient(options, sp.GetRequiredKeyedService<DependencyCircuit>(LlmCircuitKey)));
            services.AddSingleton(sp => new LlmReadinessProbe(options, circuit: sp.GetRequiredKeyedService<DependencyCircuit>(LlmCircuitKey)));
            services.AddSingleton(sp => new AnswerModel(sp.GetRequiredService<IChatClient>(), options.Model));
        }
        else
        {
            services.AddSingleton(AnswerModel.None);
        }

        return services;
    }
}
