using RagService.Core.Models;
using RagService.Llm;
using RagService.Onnx;

namespace RagService.Api.Hosting;

/// <summary>The models: the ONNX embedder and cross-encoder (Rag:Embedding, Rag:Reranker) and the LLM (section Llm).</summary>
internal static class ModelComposition
{
    /// <summary>
    /// Models load once at start; a broken model turns its stage "failed" (reported in /health/ready) unless the
    /// section sets Required, which stops the start with the loader's message. An absent model registers nothing.
    /// </summary>
    /// <returns>Whether the embedding model loaded (it brings fusion calibration and the model-fit check).</returns>
    public static bool AddRagOnnxModels(this IServiceCollection services, IConfiguration configuration, ComponentRegistry components)
    {
        var embedding = configuration.GetSection("Rag:Embedding").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var reranking = configuration.GetSection("Rag:Reranker").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var (embedder, denseStatus) = OnnxModelLoader.LoadEmbedder(embedding);
        var (reranker, rerankStatus) = OnnxModelLoader.LoadReranker(reranking);
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Embedding", embedding, denseStatus);
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Reranker", reranking, rerankStatus);
        components.Set(denseStatus);
        components.Set(rerankStatus);
        if (embedder is not null)
        {
            services.AddSingleton(embedder);
        }

        if (reranker is not null)
        {
            services.AddSingleton(reranker);
        }

        return embedder is not null;
    }

    /// <summary>The LLM named by section Llm (or RAG_LLM_URL, RAG_LLM_MODEL, RAG_LLM_KEY); "off" in readiness without one.</summary>
    public static IServiceCollection AddRagChatModel(this IServiceCollection services, LlmOptions llm, ComponentRegistry components)
    {
        services.AddRagLlm(llm);
        // When configured, replaced at each readiness check by the probe's cached answer (LlmReadinessProbe).
        components.Set(llm.IsConfigured
            ? ComponentStatus.On("llm", $"{llm.Model} at {llm.BaseUri.Authority}")
            : ComponentStatus.Off("llm", "not configured: set RAG_LLM_URL (and RAG_LLM_MODEL, RAG_LLM_KEY)"));
        return services;
    }
}
