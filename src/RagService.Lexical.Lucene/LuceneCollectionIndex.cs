using System.Collections.Concurrent;
using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Microsoft.Extensions.Logging;
using RagService.Core.Access;
using RagService.Core.ChangeLog;
using RagService.Core.Indexing;
using RagService.Core.Storage;
using FSDirectory = Lucene.Net.Store.FSDirectory;
using LockObtainFailedException = Lucene.Net.Store.LockObtainFailedException;
using LuceneDirectory = Lucene.Net.Store.Directory;
using TermStatistics = RagService.Core.Storage.TermStatistics;

namespace RagService.Lexical.Lucene;

/// <summary>
/// One collection's Lucene index in its own folder. Each commit records the store version it reflects and which
/// collection it belongs to. An index behind the store (another process wrote, or this one was stopped) catches up by
/// the store's change log; one that is missing, unreadable, of another collection, ahead of the store, or further
/// behind than the log reaches is rebuilt from the store. Applied writes are searchable by every read that starts after the write returns.
/// </summary>
internal sealed class LuceneCollectionIndex : IDisposable
{
    private const string FormatKey = "format";
    private const string Format = "ragservice-bm25f-v3"; // v2: the access field (AccessField); v3: the chunk record (ChunkRecordField)
    private const string VersionKey = "sqlite-version";
    private const string IdentityKey = "collection";
    internal const string IdField = "id";

    private static readonly FieldType TermsType = CreateTermsType();

    private readonly object _gate = new();
    private readonly string _path;
    private readonly string _identity;
    private readonly long _collectionId;
    private readonly LuceneOptions _options;
    private readonly IChangeFeed? _changes;
    private readonly ILogger _logger;
    private LuceneDirectory _directory = null!;
    private IndexWriter _writer = null!;
    private SearcherManager _searchers = null!;
    private volatile StatsOfReader? _stats;
    private volatile VisibleOfReader? _visible;
    private long _version;
    private int _uncommitted;
    private int _commitsDeferred;
    private int _reopenDue; // 1: writes were applied since the searcher was last reopened (see AcquireCurrent)

    private LuceneCollectionIndex(string path, CollectionInfo collection, LuceneOptions options, IChangeFeed? changes, ILogger logger)
    {
        _path = path;
        _identity = Identity(collection);
        _collectionId = collection.Id;
        _options = options;
        _changes = changes;
        _logger = logger;
    }

    /// <summary>How the index was opened: "loaded" or "rebuilt: &lt;reason&gt;".</summary>
    public string Verdict { get; private set; } = "";

    public long Version => Volatile.Read(ref _version);

    /// <summary>Versions caught up from the change log, and rebuilds after the index was open, since this process opened it.</summary>
    public IndexFollow Follow { get; private set; } = IndexFollow.None;

    /// <summary>Opens the collection's index, or rebuilds it from <paramref name="source"/> when it cannot be reused.</summary>
    public static LuceneCollectionIndex Open(string path, CollectionInfo collection, IIndexSource source, IChangeFeed? changes, LuceneOptions options, ILogger logger)
    {
        var index = new LuceneCollectionIndex(path, collection, options, changes, logger);
        // No folder yet: the collection's first use (or a folder someone removed). Building it is routine, not a fault.
        var isNew = !System.IO.Directory.Exists(path);
        using var snapshot = source.OpenSnapshot(collection.Id);
        string? problem;
        try
        {
            problem = index.TryReuse(snapshot.Version);
        }
        catch (LockObtainFailedException)
        {
            // Another writer holds the index: never "corrupt", never deleted to be rebuilt.
            index.CloseQuietly();
            throw;
        }

        if (problem is null && index.Version < snapshot.Version)
        {
            var loadedAt = index.Version;
            problem = index.TryCatchUp();
            if (problem is null)
            {
                index.Verdict = $"loaded at version {loadedAt}, caught up to {index.Version} from the change log";
                logger.IndexCaughtUp(collection.Name, loadedAt, index.Version);
                return index;
            }
        }

        if (problem is null)
        {
            index.Verdict = "loaded";
            logger.IndexLoaded(collection.Name, path, snapshot.Version);
        }
        else
        {
            if (isNew)
            {
                logger.IndexCreated(collection.Name, path);
            }
            else
            {
                logger.IndexUnusable(collection.Name, path, problem);
            }

            index.CloseQuietly();
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }

            index.OpenWriter(OpenMode.CREATE);
            index.Rebuild(snapshot);
            index.Verdict = "rebuilt: " + problem;
        }

        return index;
    }

    /// <summary>
    /// Catches up with the store when another process wrote (the index is behind <paramref name="storeVersion"/>): by
    /// the change log's delta, or, when the log does not reach back far enough (or there is none), by a rebuild.
    /// </summary>
    public void EnsureCurrent(long storeVersion, IIndexSource source)
    {
        if (Version >= storeVersion)
        {
            return;
        }

        lock (_gate)
        {
            if (Version >= storeVersion)
            {
                return;
            }

            var reason = TryCatchUp();
            if (reason is null)
            {
                return;
            }

            using var snapshot = source.OpenSnapshot(_collectionId);
            _logger.IndexStale(_path, Version, snapshot.Version, reason);
            _writer.DeleteAll();
            Rebuild(snapshot);
            Verdict = $"rebuilt: stale ({reason})";
            Follow = Follow with { Rebuilds = Follow.Rebuilds + 1, LastRebuild = reason };
        }
    }

    /// <summary>Applies the change log's delta from the index's version; null when done, otherwise why it could not.</summary>
    private string? TryCatchUp()
    {
        if (_changes is null)
        {
            return $"another writer moved the store to a newer version than {Version} and no change log was given";
        }

        var read = _changes.ReadSince(_collectionId, Version);
        if (read.Delta is not { } delta)
        {
            return read.Gap;
        }

        // Access-only changes re-add the chunk with its new list (from its stored terms: nothing is re-extracted).
        var accessChanged = delta.AccessChanged.Select(a => a.ChunkId);
        ApplyDelta(delta.ToDelete.Concat(accessChanged), delta.Added.Concat(delta.AccessChanged), delta.ToVersion, (int)Math.Min(delta.Versions, int.MaxValue));
        Follow = Follow with { VersionsFromLog = Follow.VersionsFromLog + delta.Versions };
        return null;
    }

    /// <summary>
    /// Applies this process's committed write when the index is exactly one version behind; otherwise the next search
    /// catches up. An access-only change carries no terms, so it is read back from the change log (committed already).
    /// </summary>
    public void Apply(IndexChange change)
    {
        lock (_gate)
        {
            if (Version >= change.Version || Version != change.Version - 1)
            {
                return;
            }

            if (change.AccessChanged.Count > 0)
            {
                if (TryCatchUp() is { } reason)
                {
                    _logger.AccessChangeDeferred(_path, change.Version, reason);
                }

                return;
            }

            ApplyDelta(change.Removed, change.Added, change.Version, 1);
        }
    }

    /// <summary>
    /// Until the result is disposed, applied writes stay searchable but are not committed one by one; the last open
    /// deferral commits what is due (<see cref="LuceneOptions.CommitEveryWrites"/>) when it ends.
    /// </summary>
    public IDisposable DeferCommits()
    {
        lock (_gate)
        {
            _commitsDeferred++;
        }

        return new CommitDeferral(this);
    }

    private void EndDeferral()
    {
        lock (_gate)
        {
            if (--_commitsDeferred == 0 && _uncommitted >= _options.CommitEveryWrites && _writer is not null)
            {
                Commit(Version);
            }
        }
    }

    private sealed class CommitDeferral(LuceneCollectionIndex index) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                index.EndDeferral();
            }
        }
    }

    private void ApplyDelta(IEnumerable<long> removed, IEnumerable<IndexEntry> added, long version, int writes)
    {
        foreach (var id in removed)
        {
            _writer.DeleteDocuments(new Term(IdField, id.ToString(CultureInfo.InvariantCulture)));
        }

        foreach (var entry in added)
        {
            _writer.AddDocument(ToDocument(entry));
        }

        _uncommitted += writes;
        if (_commitsDeferred == 0 && _uncommitted >= _options.CommitEveryWrites)
        {
            Commit(version);
        }
        else
        {
            // Reopened by the next read, not here: each reopen flushes a segment, one per write in a sync job's write group.
            Volatile.Write(ref _reopenDue, 1);
            Volatile.Write(ref _version, version);
        }
    }

    /// <summary>
    /// The searcher, reopened first when writes were applied since its last reopen: every read sees every write applied
    /// before it started, while writes no one reads in between (a write group's) share one reopen.
    /// </summary>
    private IndexSearcher AcquireCurrent()
    {
        if (Interlocked.Exchange(ref _reopenDue, 0) == 1)
        {
            try
            {
                _searchers.MaybeRefreshBlocking();
            }
            catch
            {
                Volatile.Write(ref _reopenDue, 1);
                throw;
            }
        }

        return _searchers.Acquire();
    }

    /// <summary>
    /// The best chunks for the query among those <paramref name="scope"/> may read (null: everything, an admin) by the
    /// access field, and, when not null, among <paramref name="allowed"/> (the filter's other conditions).
    /// </summary>
    public IReadOnlyList<ScoredChunk> Search(IReadOnlyList<string> queryTerms, int limit, AccessScope? scope, UnlistedAccess unlisted, IReadOnlySet<long>? allowed)
    {
        // Picks up segments merged in the background since the last write (fewer segments, fewer term lookups); a no-op otherwise.
        _searchers.MaybeRefresh();
        var searcher = AcquireCurrent();
        try
        {
            var reader = searcher.IndexReader;
            var cached = _stats;
            var stats = cached is not null && ReferenceEquals(cached.Reader, reader) ? cached.Stats : ReaderStats.Compute(reader);
            _stats = new StatsOfReader(reader, stats);
            var visible = scope is null ? null : VisibleTo(reader, scope, unlisted);
            return Bm25FScorer.Search(reader, stats, queryTerms, limit, _options.Bm25, visible, allowed).Select(h => new ScoredChunk(h.ChunkId, h.Score)).ToList();
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>
    /// Live documents, and in how many live bodies each term occurs (deleted documents not yet merged away are not counted, unlike
    /// IndexReader.DocFreq).
    /// </summary>
    public TermStatistics Statistics(IReadOnlyList<string> terms)
    {
        _searchers.MaybeRefresh();
        var searcher = AcquireCurrent();
        try
        {
            var reader = searcher.IndexReader;
            var liveDocs = MultiFields.GetLiveDocs(reader);
            var frequencies = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var term in terms)
            {
                var count = 0;
                var docs = MultiFields.GetTermDocsEnum(reader, liveDocs, Bm25FScorer.BodyField, new BytesRef(term));
                if (docs is not null)
                {
                    while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                    {
                        count++;
                    }
                }

                frequencies[term] = count;
            }

            return new TermStatistics(reader.NumDocs, frequencies);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>The chunk records of <paramref name="chunkIds"/> the index holds (its live documents), keyed by chunk id.</summary>
    public IReadOnlyDictionary<long, StoredChunk> Records(IReadOnlyCollection<long> chunkIds)
    {
        var searcher = AcquireCurrent();
        try
        {
            return ChunkRecordField.Read(searcher.IndexReader, IdField, chunkIds);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>
    /// The chunk records of <paramref name="chunkIds"/> in the last commit of the index folder at <paramref name="path"/>,
    /// read without opening a writer; none when there is no readable index there.
    /// </summary>
    public static IReadOnlyDictionary<long, StoredChunk> CommittedRecords(string path, IReadOnlyCollection<long> chunkIds)
    {
        try
        {
            if (!System.IO.Directory.Exists(path))
            {
                return new Dictionary<long, StoredChunk>();
            }

            using var directory = FSDirectory.Open(new DirectoryInfo(path));
            if (!DirectoryReader.IndexExists(directory))
            {
                return new Dictionary<long, StoredChunk>();
            }

            using var reader = DirectoryReader.Open(directory);
            return ChunkRecordField.Read(reader, IdField, chunkIds);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new Dictionary<long, StoredChunk>();
        }
    }

    public (long Entries, long Bytes) Size()
    {
        var searcher = AcquireCurrent();
        try
        {
            var bytes = new DirectoryInfo(_path).EnumerateFiles().Sum(f => f.Length);
            return (searcher.IndexReader.NumDocs, bytes);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Commits what is not committed yet (at shutdown), so the next start loads instead of rebuilding.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_uncommitted > 0 && _writer is not null)
            {
                Commit(Version);
            }

            CloseQuietly();
        }
    }

    /// <summary>Deletes the index folder (the collection was deleted).</summary>
    public void Delete()
    {
        Dispose();
        if (System.IO.Directory.Exists(_path))
        {
            System.IO.Directory.Delete(_path, recursive: true);
        }
    }

    private static string Identity(CollectionInfo c) => $"{c.Id}/{c.Name}/{c.CreatedAt.UtcTicks}";

    /// <summary>
    /// Opens the existing index when it is intact, this collection's, and at <paramref name="storeVersion"/> or behind it
    /// with a change log to catch up from; otherwise says why not.
    /// </summary>
    private string? TryReuse(long storeVersion)
    {
        if (!System.IO.Directory.Exists(_path))
        {
            return "missing";
        }

        try
        {
            _directory = FSDirectory.Open(new DirectoryInfo(_path));
            if (!DirectoryReader.IndexExists(_directory))
            {
                return "missing (no commit in the folder)";
            }

            IReadOnlyDictionary<string, string> data = new Dictionary<string, string>(DirectoryReader.ListCommits(_directory)[^1].UserData);
            if (data.GetValueOrDefault(IdentityKey) != _identity)
            {
                return $"foreign (built for collection '{data.GetValueOrDefault(IdentityKey) ?? "unknown"}', this is '{_identity}')";
            }

            if (data.GetValueOrDefault(FormatKey) != Format)
            {
                return $"incompatible (format '{data.GetValueOrDefault(FormatKey)}', wanted '{Format}')";
            }

            if (!long.TryParse(data.GetValueOrDefault(VersionKey), NumberStyles.None, CultureInfo.InvariantCulture, out var committed)
                || committed > storeVersion || (committed < storeVersion && _changes is null))
            {
                return $"stale (index at version {data.GetValueOrDefault(VersionKey)}, the store at {storeVersion})";
            }

            OpenWriter(OpenMode.APPEND);
            var searcher = _searchers.Acquire();
            try
            {
                // Checksums of every segment file: a truncated or overwritten file is caught here, not at a later search.
                foreach (var leaf in searcher.IndexReader.Leaves)
                {
                    leaf.AtomicReader.CheckIntegrity();
                }
            }
            finally
            {
                _searchers.Release(searcher);
            }

            _version = committed;
            return null;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or UnauthorizedAccessException
            && e is not LockObtainFailedException)
        {
            return $"corrupt ({e.GetType().Name}: {e.Message})";
        }
    }

    private void OpenWriter(OpenMode mode)
    {
        System.IO.Directory.CreateDirectory(_path);
        _directory ??= FSDirectory.Open(new DirectoryInfo(_path));
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new KeywordAnalyzer())
        {
            OpenMode = mode,
            RAMBufferSizeMB = _options.RamBufferMb,
        };
        _writer = new IndexWriter(_directory, config);
        _searchers = new SearcherManager(_writer, true, new SearcherFactory());
    }

    private void Rebuild(IIndexSnapshot snapshot)
    {
        foreach (var entry in snapshot.ReadTerms())
        {
            _writer.AddDocument(ToDocument(entry));
        }

        Commit(snapshot.Version);
    }

    private void Commit(long version)
    {
        _writer.SetCommitData(new Dictionary<string, string>
        {
            [FormatKey] = Format,
            [IdentityKey] = _identity,
            [VersionKey] = version.ToString(CultureInfo.InvariantCulture),
        });
        _writer.Commit();
        _uncommitted = 0;
        Volatile.Write(ref _reopenDue, 0);
        _searchers.MaybeRefreshBlocking();
        Volatile.Write(ref _version, version);
    }

    internal static Document ToDocument(IndexEntry entry) =>
    [
        new StringField(IdField, entry.ChunkId.ToString(CultureInfo.InvariantCulture), Field.Store.NO),
        new NumericDocValuesField(Bm25FScorer.ChunkIdField, entry.ChunkId),
        new NumericDocValuesField(Bm25FScorer.LengthField, entry.BodyTerms.Count + entry.HeaderTerms.Count),
        new Field(Bm25FScorer.BodyField, new TermListTokenStream(entry.BodyTerms), TermsType),
        new Field(Bm25FScorer.HeaderField, new TermListTokenStream(entry.HeaderTerms), TermsType),
        .. AccessField.Fields(entry.Access),
        .. ChunkRecordField.Fields(entry.Record),
    ];

    private static FieldType CreateTermsType()
    {
        var type = new FieldType
        {
            IsIndexed = true,
            IsTokenized = true,
            IsStored = false,
            OmitNorms = true,
            IndexOptions = IndexOptions.DOCS_AND_FREQS,
        };
        type.Freeze();
        return type;
    }

    /// <summary>Statistics computed once per refreshed reader (one pass over the doc values), swapped as one reference.</summary>
    private sealed record StatsOfReader(IndexReader Reader, ReaderStats Stats);

    /// <summary>
    /// The documents a scope may read in <paramref name="reader"/>, from the reader's cache (<see cref="LuceneOptions.AccessFilterCacheScopes"/>):
    /// a reader never changes, so a set held for it is exact for as long as it is searched.
    /// </summary>
    private FixedBitSet VisibleTo(IndexReader reader, AccessScope scope, UnlistedAccess unlisted)
    {
        if (_options.AccessFilterCacheScopes == 0)
        {
            return AccessField.Visible(reader, scope, unlisted);
        }

        var held = _visible;
        if (held is null || !ReferenceEquals(held.Reader, reader))
        {
            held = new VisibleOfReader(reader, new ConcurrentDictionary<(AccessScope, UnlistedAccess), FixedBitSet>());
            _visible = held;
        }

        if (held.Sets.TryGetValue((scope, unlisted), out var set))
        {
            return set;
        }

        set = AccessField.Visible(reader, scope, unlisted);
        if (held.Sets.Count >= _options.AccessFilterCacheScopes)
        {
            held.Sets.Clear();
        }

        held.Sets[(scope, unlisted)] = set;
        return set;
    }

    private sealed record VisibleOfReader(IndexReader Reader, ConcurrentDictionary<(AccessScope, UnlistedAccess), FixedBitSet> Sets);

    private void CloseQuietly()
    {
        _searchers?.Dispose();
        _writer?.Dispose();
        _directory?.Dispose();
        _searchers = null!;
        _writer = null!;
        _directory = null!;
    }
}
