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
                return services.AddHnswVectorIndex(Path.GetFullPath(rag.DatabasePath) + ".vectors");
            case "qdrant":
                // RAG_QDRANT_URL is only a fallback: a configured Rag:Qdrant:Url wins (CI sets the variable for every test).
                var qdrant = configuration.GetSection(QdrantOptions.SectionName).Get<QdrantOptions>() ?? new QdrantOptions();
                return services.AddQdrantVectorIndex(qdrant with { Url = qdrant.Url ?? Environment.GetEnvironmentVariable("RAG_QDRANT_URL") });
            case var other:
                throw new InvalidOperationException($"Rag:VectorStore must be 'embedded' or 'qdrant', not '{other}'.");
        }
    }
}
