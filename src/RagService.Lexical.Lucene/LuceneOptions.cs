using RagService.Core.Lexical;

namespace RagService.Lexical.Lucene;

/// <summary>The "lucene" BM25 engine's settings (section Rag:Lucene, besides Rag:HeaderWeight).</summary>
public sealed record LuceneOptions
{
    /// <summary>Folder holding one Lucene index per collection ("collection-&lt;id&gt;"); default: the database path + ".lucene".</summary>
    public string Directory { get; init; } = "";

    public Bm25Parameters Bm25 { get; init; } = new();

    /// <summary>
    /// Commit (fsync) the index every this many writes. 1: a crash never costs a rebuild. More: faster writes; a crash
    /// between commits leaves the index behind SQLite and it is rebuilt at the next start. Writes are searchable at once either way.
    /// </summary>
    public int CommitEveryWrites { get; init; } = 1;

    /// <summary>Longest highlighted snippet, characters.</summary>
    public int SnippetChars { get; init; } = 160;

    /// <summary>Lucene's indexing buffer before it flushes a segment, MB.</summary>
    public double RamBufferMb { get; init; } = 32;

    /// <summary>
    /// Access scopes whose visible documents (a bitset of one bit per document) are kept per open index reader, so a
    /// caller's next search on unchanged data skips the postings walk; 0 turns the cache off. A refreshed reader starts empty.
    /// </summary>
    public int AccessFilterCacheScopes { get; init; } = 64;

    public void Validate()
    {
        Bm25.Validate();
        if (string.IsNullOrWhiteSpace(Directory))
        {
            throw new ArgumentException("Rag:Lucene:Directory must name the folder of the Lucene indexes");
        }

        if (CommitEveryWrites < 1 || SnippetChars < 20 || RamBufferMb is < 1 or > 2048)
        {
            throw new ArgumentException($"Rag:Lucene needs CommitEveryWrites >= 1, SnippetChars >= 20 and 1 <= RamBufferMb <= 2048 (got {CommitEveryWrites}, {SnippetChars}, {RamBufferMb})");
        }

        if (AccessFilterCacheScopes is < 0 or > 100_000)
        {
            throw new ArgumentException($"Rag:Lucene:AccessFilterCacheScopes must be 0 to 100000 (got {AccessFilterCacheScopes})");
        }
    }
}
