using RagService.Core.Access;
using RagService.Core.Indexing;
using RagService.Core.Lexical;
using RagService.Core.Storage;
using RagService.Lexical.Lucene;
using RagService.Lexical.Memory;
using RagService.Storage.Sqlite;
using RagService.Vectors.Hnsw;

namespace RagService.Cli.Local;

/// <summary>The service's store and indexes composed in-process over one database file, for `rag eval` and `rag bench`.</summary>
internal sealed class LocalKnowledgeBase : IDisposable
{
    private readonly List<IDisposable> _owned = [];

    private LocalKnowledgeBase(string databasePath, string bm25Engine, double headerWeight, int commitEveryWrites, bool deterministicVectors)
    {
        var options = new SqliteStoreOptions { DatabasePath = databasePath };
        Source = new SqliteIndexSource(options);
        var changes = new SqliteChangeFeed(options);
        var visible = new VisibleChunkCache(Source);
        var bm25 = new Bm25Parameters { HeaderWeight = headerWeight };
        bm25.Validate();
        Lexical = bm25Engine switch
        {
            "memory" => Own<ILexicalSearchIndex>(new MemoryLexicalSearchIndex(Source, bm25, changes, visible)),
            "lucene" => Own<ILexicalSearchIndex>(new LuceneLexicalSearchIndex(Source, new LuceneOptions { Directory = Source.DatabasePath + ".lucene", Bm25 = bm25, CommitEveryWrites = commitEveryWrites }, changes: changes)),
            _ => throw new ArgumentException($"--bm25-engine must be memory or lucene, not {bm25Engine}"),
        };
        Vectors = Own(new HnswVectorSearchIndex(Source, Source.DatabasePath + ".vectors", new VectorIndexOptions { DeterministicBuild = deterministicVectors }, changes: changes, visible: visible));
        Store = new SqliteKnowledgeStore(options, [(ISearchIndex)Lexical, Vectors]);
    }

    public SqliteIndexSource Source { get; }

    public SqliteKnowledgeStore Store { get; }

    /// <summary><see cref="Store"/> through its port, for commands that need no SQLite-specific call.</summary>
    public IKnowledgeStore KnowledgeStore => Store;

    /// <summary><see cref="Source"/> through its port.</summary>
    public IIndexSource IndexSource => Source;

    public ILexicalSearchIndex Lexical { get; }

    public IVectorSearchIndex Vectors { get; }

    /// <param name="deterministicVectors">Build the HNSW graph on one thread in chunk id order, so two runs over the same data print the same numbers.</param>
    public static LocalKnowledgeBase Open(string databasePath, string bm25Engine = "memory", double headerWeight = 4.0, int commitEveryWrites = 1,
        bool deterministicVectors = false) =>
        new(databasePath, bm25Engine, headerWeight, commitEveryWrites, deterministicVectors);

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }
    }

    private T Own<T>(T item)
    {
        if (item is IDisposable disposable)
        {
            _owned.Add(disposable);
        }

        return item;
    }
}
