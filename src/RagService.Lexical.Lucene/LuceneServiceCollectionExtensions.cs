using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Logging;
using RagService.Core.Models;
using RagService.Core.Storage;
using RagService.Lexical.Lucene.Analysis;

namespace RagService.Lexical.Lucene;

public static class LuceneServiceCollectionExtensions
{
    /// <summary>The "lucene" BM25 engine (Rag:Bm25Engine=lucene): one on-disk index per collection in <see cref="LuceneOptions.Directory"/>.</summary>
    public static IServiceCollection AddLuceneLexicalIndex(this IServiceCollection services, LuceneOptions options)
    {
        options.Validate();
        services.AddSingleton(sp => new LuceneLexicalSearchIndex(sp.GetRequiredService<IIndexSource>(), options,
            sp.LoggerFor<LuceneLexicalSearchIndex>(), sp.GetService<IChangeFeed>()));
        services.AddSingleton<ILexicalSearchIndex>(sp => sp.GetRequiredService<LuceneLexicalSearchIndex>());
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<LuceneLexicalSearchIndex>());
        services.AddSingleton<ILocalChunkCopy>(sp => sp.GetRequiredService<LuceneLexicalSearchIndex>());
        services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<LuceneLexicalSearchIndex>());
        return services;
    }

    /// <summary>Highlighted snippets on search hits (Lucene.Net.Highlighter); works with either BM25 engine.</summary>
    public static IServiceCollection AddLuceneHighlighter(this IServiceCollection services, int snippetChars = 160)
    {
        services.AddSingleton<IHitHighlighter>(new LuceneHitHighlighter(snippetChars));
        return services;
    }
}
