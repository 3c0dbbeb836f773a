using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Access;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Models;

namespace RagService.Lexical.Memory;

public static class MemoryLexicalServiceCollectionExtensions
{
    /// <summary>The "memory" BM25 engine: in-memory BM25F per collection, rebuilt from the store at the first search after a start.</summary>
    public static IServiceCollection AddMemoryLexicalIndex(this IServiceCollection services, Bm25Parameters parameters)
    {
        parameters.Validate();
        services.AddSingleton(sp => new MemoryLexicalSearchIndex(sp.GetRequiredService<IIndexSource>(), parameters, sp.GetService<IChangeFeed>(), sp.GetService<VisibleChunkCache>()));
        services.AddSingleton<ILexicalSearchIndex>(sp => sp.GetRequiredService<MemoryLexicalSearchIndex>());
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<MemoryLexicalSearchIndex>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<MemoryLexicalSearchIndex>());
        return services;
    }
}
