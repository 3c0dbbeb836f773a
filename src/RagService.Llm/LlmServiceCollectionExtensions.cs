using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Llm.Chat;
using RagService.Llm.Health;
using RagService.Llm.Prompting;

namespace RagService.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers the answer and rewrite prompt templates (always: the prompt is returned even without an LLM) and, when
    /// <see cref="LlmOptions.Url"/> is set, the Semantic Kernel chat client as <see cref="IChatClient"/> and the
    /// readiness probe. Invalid options throw at start-up with the setting to fix.
    /// </summary>
    public static IServiceCollection AddRagLlm(this IServiceCollection services, LlmOptions options)
    {
        options.Validate();
        services.AddSingleton<IAnswerPromptRenderer, AnswerPromptTemplate>();
        services.AddSingleton<IRewritePromptRenderer, RewritePromptTemplate>();
        if (options.IsConfigured)
        {
            services.AddSingleton(options);
            services.AddSingleton<IChatClient>(_ => new SemanticKernelChatClient(options));
            services.AddSingleton(_ => new LlmReadinessProbe(options));
        }

        return services;
    }
}
