using Microsoft.Extensions.AI;
using RagService.Core.Models;

namespace RagService.Onnx.Embeddings;

/// <summary>
/// Microsoft.Extensions.AI view of an <see cref="ITextEmbedder"/>. Texts are embedded as passages unless
/// <c>options.AdditionalProperties["purpose"]</c> is "query".
/// </summary>
public sealed class OnnxEmbeddingGenerator(ITextEmbedder embedder) : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string PurposeProperty = "purpose";

    private readonly EmbeddingGeneratorMetadata _metadata = new("onnxruntime", null, embedder.ModelId, embedder.Dimension);

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        if (options?.Dimensions is { } dims && dims != embedder.Dimension)
        {
            throw new NotSupportedException($"{embedder.ModelId} produces {embedder.Dimension}-dimensional vectors, not {dims}.");
        }

        var purpose = options?.AdditionalProperties?.TryGetValue(PurposeProperty, out var p) == true
            && string.Equals(p?.ToString(), "query", StringComparison.OrdinalIgnoreCase)
                ? EmbeddingPurpose.Query
                : EmbeddingPurpose.Passage;
        var vectors = await embedder.EmbedAsync(values.ToList(), purpose, cancellationToken).ConfigureAwait(false);
        var created = DateTimeOffset.UtcNow;
        return new GeneratedEmbeddings<Embedding<float>>(vectors.Select(v => new Embedding<float>(v) { ModelId = embedder.ModelId, CreatedAt = created }));
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(embedder) ? embedder : serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The embedder is owned by whoever created it (the host), not by this view.
    }
}
