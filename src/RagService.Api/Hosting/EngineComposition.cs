using RagService.Core.Access;
using RagService.Core.Lexical;
using RagService.Lexical.Lucene;
using RagService.Lexical.Memory;
using RagService.Vectors.Hnsw;
using RagService.Vectors.Qdrant;

namespace RagService.Api.Hosting;

/// <summary>Picks the lexical and the vector engine from configuration; the only place the host names an engine.</summary>
internal static class EngineComposition
{
    /// <summary>Rag:Bm25Engine: "lucene" (on disk beside the database, section Rag:Lucene) or "memory".</summary>
    public static IServiceCollection AddRagLexicalIndex(this IServiceCollection services, RagOptions rag, IConfiguration configuration)
    {
        services.AddVisibleChunkCache(configuration.GetSection(VisibleChunkCacheOptions.SectionName).Get<VisibleChunkCacheOptions>() ?? new VisibleChunkCacheOptions());
        var bm25 = new Bm25Parameters { HeaderWeight = rag.HeaderWeight };
        switch (rag.Bm25Engine)
        {
            case "memory":
                services.AddMemoryLexicalIndex(bm25);
                break;
            case "lucene":
                var lucene = configuration.GetSection("Rag:Lucene").Get<LuceneOptions>() ?? new LuceneOptions();
                services.AddLuceneLexicalIndex(lucene with
                {
                    Directory = string.IsNullOrWhiteSpace(lucene.Directory) ? Path.GetFullPath(rag.DatabasePath) + ".lucene" : lucene.Directory,
                    Bm25 = bm25,
                });
                break;
            default:
                throw new InvalidOperationException($"Rag:Bm25Engine must be \"memory\" or \"lucene\", not \"{rag.Bm25Engine}\"");
        }

        return services.AddLuceneHighlighter();
    }

    /// <summary>Rag:VectorStore: "embedded" (HNSW beside the database, the default) or "qdrant" (section Rag:Qdrant, or RAG_QDRANT_URL).</summary>
    public static IServiceCollection AddRagVectorIndex(this IServiceCollection services, RagOptions rag, IConfiguration configuration)
    {
        switch (configuration["Rag:VectorStore"] ?? "embedded")
        {
            case "embedded":
                var snapshots = Path.GetFullPath(rag.DatabasePath) + ".vectors";
                return services.AddHnswVectorIndex(snapshots, EmbeddedVectorOptions(configuration, snapshots));
            case "qdrant":
                // RAG_QDRANT_URL is only a fallback: a configured Rag:Qdrant:Url wins (CI sets the variable for every test).
                var qdrant = configuration.GetSection(QdrantOptions.SectionName).Get<QdrantOptions>() ?? new QdrantOptions();
                return services.AddQdrantVectorIndex(qdrant with { Url = qdrant.Url ?? Environment.GetEnvironmentVariable("RAG_QDRANT_URL") });
            case var other:
                throw new InvalidOperationException($"Rag:VectorStore must be 'embedded' or 'qdrant', not '{other}'.");
        }
    }

    /// <summary>
    /// Rag:Vectors:Quantization: "none" (float32 graph, the default) or "int8" (int8 graph, float vectors in a
    /// memory-mapped file beside the snapshots, re-scoring Rag:Vectors:RescoreFactor · k candidates; 1..100, default 4).
    /// </summary>
    private static VectorIndexOptions EmbeddedVectorOptions(IConfiguration configuration, string snapshotDirectory)
    {
        var defaults = new VectorIndexOptions();
        var quantization = configuration["Rag:Vectors:Quantization"]?.Trim().ToLowerInvariant() switch
        {
            null or "" or "none" => VectorQuantization.None,
            "int8" => VectorQuantization.Int8,
            var other => throw new InvalidOperationException($"Rag:Vectors:Quantization must be 'none' or 'int8', not '{other}'."),
        };
        int rescoreFactor = defaults.RescoreFactor;
        if (configuration["Rag:Vectors:RescoreFactor"] is { } factor
            && (!int.TryParse(factor, System.Globalization.CultureInfo.InvariantCulture, out rescoreFactor) || rescoreFactor is < 1 or > 100))
        {
            throw new InvalidOperationException($"Rag:Vectors:RescoreFactor must be a whole number within 1..100, not '{factor}'.");
        }

        return defaults with { Quantization = quantization, RescoreFactor = rescoreFactor, FloatVectorDirectory = snapshotDirectory };
    }
}
