using System.Collections.Concurrent;
using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Qdrant.Client.Grpc;
using RagService.Core.Cluster;
using RagService.Core.Indexing;
using RagService.Core.Models;
using RagService.Core.Storage;
using CollectionInfo = RagService.Core.Storage.CollectionInfo;

namespace RagService.Vectors.Qdrant;

/// <summary>
/// Dense retrieval served by a Qdrant server, shared by every replica of the service: one Qdrant collection per
/// knowledge base behind an alias (<see cref="QdrantCollectionNames"/>). Unlike the embedded engine it is not rebuilt
/// from SQLite: each write reaches Qdrant before the store commits it (<see cref="PrepareAsync"/>), so a write Qdrant
/// refuses fails whole, and a committed document always has its vectors there. A collection's generation is created and
/// its alias swapped under the cluster lock "qdrant-generation:{id}" (<see cref="IClusterLock"/>), after looking the alias
/// up again, so a replica never deletes or replaces a generation another one has just created.
/// </summary>
public sealed class QdrantVectorSearchIndex : IVectorSearchIndex, IDisposable
{
    private readonly QdrantOptions _options;
    private readonly QdrantGrpcClient _client;
    private readonly QdrantRequests _requests;
    private readonly QdrantCollectionNames _names;
    private readonly QdrantCalls _calls;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<long, Target> _targets = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _createLocks = new();
    private readonly IClusterLock? _clusterLock;

    /// <param name="time">The clock of retry delays and break times; the system clock when null.</param>
    public QdrantVectorSearchIndex(QdrantOptions options, TimeProvider? time = null)
        : this(options, NullLogger.Instance, time)
    {
    }

    /// <param name="time">The clock of retry delays and break times; the system clock when null.</param>
    /// <param name="clusterLock">Shared by the replicas on one Qdrant; null: only this process's creations are serialised.</param>
    public QdrantVectorSearchIndex(QdrantOptions options, ILogger logger, TimeProvider? time = null, IClusterLock? clusterLock = null)
    {
        _clusterLock = clusterLock;
        _options = options.Validate();
        _client = new QdrantGrpcClient(options.Endpoint, string.IsNullOrEmpty(options.ApiKey) ? null : options.ApiKey);
        _requests = new QdrantRequests(options);
        _names = new QdrantCollectionNames(options.CollectionPrefix);
        _calls = new QdrantCalls(options, time);
        _logger = logger;
    }

    public string Engine => "qdrant";

    public Task<IReadOnlyList<ScoredChunk>> SearchAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct) =>
        WithFreshTargetAsync(collection, () => SearchOnceAsync(collection, query, limit, filter, ct));

    /// <summary>Upserts the added chunks' vectors (in batches, each acknowledged), then deletes the removed chunks' points.</summary>
    public Task PrepareAsync(IndexChange change, CancellationToken ct) =>
        WithFreshTargetAsync(change.Collection, async () =>
        {
            await PrepareOnceAsync(change, ct);
            return true;
        });

    private async Task<IReadOnlyList<ScoredChunk>> SearchOnceAsync(CollectionInfo collection, float[] query, int limit, SearchFilter filter, CancellationToken ct)
    {
        var target = await ResolveAsync(collection, ct);
        if (target is null || target.Dimension != query.Length || limit <= 0)
        {
            return [];
        }

        var hits = new List<ScoredChunk>(Math.Min(limit, _options.SearchPageSize));
        while (hits.Count < limit)
        {
            var page = Math.Min(limit - hits.Count, _options.SearchPageSize);
            var request = _requests.Search(target.Name, query, (ulong)page, (ulong)hits.Count, filter, collection.Settings.UnlistedAccess);
            var response = await _calls.RunAsync("search", d => _client.Points.QueryAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct);
            hits.AddRange(response.Result.Select(p => new ScoredChunk((long)p.Id.Num, p.Score)));
            if (response.Result.Count < page)
            {
                break;
            }
        }

        return hits;
    }

    private async Task PrepareOnceAsync(IndexChange change, CancellationToken ct)
    {
        if (change.AccessChanged.Count > 0)
        {
            await UpdateAccessAsync(change, ct);
            return;
        }

        var vectors = change.Added.Where(a => a.Vector is not null).ToList();
        if (vectors.Count == 0 && change.Removed.Count == 0)
        {
            return;
        }

        var target = vectors.Count > 0 ? await EnsureAsync(change.Collection, vectors[0].Vector!.Length, ct) : await ResolveAsync(change.Collection, ct);
        if (target is null)
        {
            return; // nothing was ever written to Qdrant for this knowledge base, so there is nothing to delete
        }

        var write = _requests.Write(target.Name, change);
        foreach (var batch in write.Upserts)
        {
            await _calls.RunAsync("store vectors", d => _client.Points.UpsertAsync(batch, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }

        if (write.Delete is not { } delete)
        {
            return;
        }

        try
        {
            await _calls.RunAsync("delete vectors", d => _client.Points.DeleteAsync(delete, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }
        catch (StorageUnavailableException) when (vectors.Count > 0)
        {
            await ForgetAddedAsync(target, vectors, ct);
            throw;
        }
    }

    private async Task UpdateAccessAsync(IndexChange change, CancellationToken ct)
    {
        if (await ResolveAsync(change.Collection, ct) is not { } target)
        {
            return; // no points yet, so none to change
        }

        var update = _requests.AccessUpdate(target.Name, change);
        if (update.Set is { } set)
        {
            await _calls.RunAsync("set access", d => _client.Points.SetPayloadAsync(set, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }

        if (update.Delete is { } delete)
        {
            await _calls.RunAsync("clear access", d => _client.Points.DeletePayloadAsync(delete, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }
    }

    /// <summary>Nothing left to do: the write reached Qdrant before it committed.</summary>
    public void Apply(IndexChange change)
    {
    }

    /// <summary>Deletes every Qdrant collection of the knowledge base (all generations) and its alias.</summary>
    public void Drop(long collectionId)
    {
        _targets.TryRemove(collectionId, out _);
        try
        {
            DropAsync(collectionId, CancellationToken.None).GetAwaiter().GetResult();
        }
        catch (StorageUnavailableException e)
        {
            _logger.CollectionDeleteFailed(e, collectionId);
        }
    }

    /// <summary>The point count; when Qdrant cannot answer, the stats say so instead of failing the collection's description.</summary>
    public async Task<IndexStats> GetStatsAsync(CollectionInfo collection, CancellationToken ct)
    {
        try
        {
            var target = await ResolveAsync(collection, ct);
            if (target is null)
            {
                return new IndexStats(Engine, 0, 0, "no Qdrant collection yet");
            }

            var count = await CountAsync(target.Name, ct);
            return new IndexStats(Engine, (long)count, 0, $"remote: Qdrant collection {target.Name} behind alias {_names.Alias(collection.Name)}");
        }
        catch (StorageUnavailableException e)
        {
            return new IndexStats(Engine, 0, 0, "unavailable: " + e.Message);
        }
    }

    /// <summary>Exact number of points in a Qdrant collection (or alias).</summary>
    public async Task<ulong> CountAsync(string collectionOrAlias, CancellationToken ct)
    {
        var request = new CountPoints { CollectionName = collectionOrAlias, Exact = true };
        var response = await _calls.RunAsync("count vectors", d => _client.Points.CountAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        return response.Result.Count;
    }

    /// <summary>The chunk ids among <paramref name="chunkIds"/> that already have a point (for a resumable copy).</summary>
    public async Task<IReadOnlySet<long>> ExistingAsync(CollectionInfo collection, IReadOnlyList<long> chunkIds, CancellationToken ct)
    {
        var target = await ResolveAsync(collection, ct);
        if (target is null || chunkIds.Count == 0)
        {
            return new HashSet<long>();
        }

        var request = new GetPoints { CollectionName = target.Name, WithPayload = new WithPayloadSelector { Enable = false }, WithVectors = new WithVectorsSelector { Enable = false } };
        request.Ids.AddRange(chunkIds.Select(id => new PointId { Num = (ulong)id }));
        var response = await _calls.RunAsync("read points", d => _client.Points.GetAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        return response.Result.Select(p => (long)p.Id.Num).ToHashSet();
    }

    /// <summary>
    /// Upserts stored vectors as they are (a copy from another store, see `rag migrate-vectors`), creating the Qdrant
    /// collection on first use; every point carries its own document's fields.
    /// </summary>
    public async Task CopyAsync(CollectionInfo collection, IReadOnlyList<(IndexedDocument Document, long ChunkId, float[] Vector)> points, CancellationToken ct)
    {
        if (points.Count == 0)
        {
            return;
        }

        var target = await EnsureAsync(collection, points[0].Vector.Length, ct);
        foreach (var batch in points.Chunk(_options.UpsertBatchSize))
        {
            var request = new UpsertPoints { CollectionName = target.Name, Wait = true };
            request.Points.AddRange(batch.Select(p => _requests.Point(p.Document, p.ChunkId, p.Vector)));
            await _calls.RunAsync("store vectors", d => _client.Points.UpsertAsync(request, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }
    }

    /// <summary>Exact number of points of the knowledge base (0 when it has no Qdrant collection).</summary>
    public async Task<ulong> CountAsync(CollectionInfo collection, CancellationToken ct) =>
        await ResolveAsync(collection, ct) is { } target ? await CountAsync(target.Name, ct) : 0;

    /// <summary>The alias a knowledge base is served through.</summary>
    public string AliasOf(CollectionInfo collection) => _names.Alias(collection.Name);

    /// <summary>Pings the server (one attempt, no retries): a health check must answer quickly. While the circuit is open it says so without a call.</summary>
    public async Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        try
        {
            var reply = await _calls.RunAsync("answer a health check", d => _client.Qdrant.HealthCheckAsync(new HealthCheckRequest(), deadline: d, cancellationToken: ct).ResponseAsync, ct, retry: false);
            return ComponentStatus.On("vectors", $"Qdrant {reply.Version} at {_options.Endpoint.Authority}, collections prefixed '{_options.CollectionPrefix}'");
        }
        catch (StorageUnavailableException e)
        {
            return ComponentStatus.Failed("vectors", e.Message + "; dense retrieval answers with BM25 only and writes with vectors fail until it is back");
        }
    }

    public void Dispose()
    {
        foreach (var gate in _createLocks.Values)
        {
            gate.Dispose();
        }

        _client.Dispose();
        _calls.Dispose();
    }

    /// <summary>
    /// Runs <paramref name="run"/> again, once, after forgetting the cached collection when Qdrant says it does not
    /// exist: another replica swapped the alias to a new generation or deleted the knowledge base.
    /// </summary>
    private async Task<T> WithFreshTargetAsync<T>(CollectionInfo collection, Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (StorageUnavailableException e) when (e.InnerException is RpcException { StatusCode: StatusCode.NotFound } && _targets.TryRemove(collection.Id, out _))
        {
            return await run();
        }
    }

    /// <summary>The live Qdrant collection of the knowledge base, or null when it has none (or the alias is a previous namesake's).</summary>
    private async Task<Target?> ResolveAsync(CollectionInfo collection, CancellationToken ct)
    {
        if (_targets.TryGetValue(collection.Id, out var cached))
        {
            return cached;
        }

        var alias = _names.Alias(collection.Name);
        var aliases = await _calls.RunAsync("list aliases", d => _client.Collections.ListAliasesAsync(new ListAliasesRequest(), deadline: d, cancellationToken: ct).ResponseAsync, ct);
        var physical = aliases.Aliases.FirstOrDefault(a => a.AliasName == alias)?.CollectionName;
        if (physical is null || _names.Parse(physical) is not { } parsed || parsed.CollectionId != collection.Id)
        {
            return null;
        }

        var info = await _calls.RunAsync("describe a collection", d => _client.Collections.GetAsync(new GetCollectionInfoRequest { CollectionName = physical }, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        var size = info.Result.Config.Params.VectorsConfig.ParamsMap?.Map.TryGetValue(_options.VectorName, out var p) == true ? (int)p.Size : 0;
        await CreatePayloadIndexesAsync(_requests.MissingPayloadIndexes(physical, info.Result.PayloadSchema), ct);
        var target = new Target(physical, parsed.Generation, size);
        _targets[collection.Id] = target;
        return target;
    }

    /// <summary>
    /// The live collection for vectors of <paramref name="dimension"/>: created on first use; when the model changed
    /// (another dimension) the next generation is created beside it, the alias swapped to it, and the old one deleted,
    /// as the embedded engine keeps only the newest model's vectors.
    /// </summary>
    private async Task<Target> EnsureAsync(CollectionInfo collection, int dimension, CancellationToken ct)
    {
        if (await ResolveAsync(collection, ct) is { } live && live.Dimension == dimension)
        {
            return live;
        }

        var gate = _createLocks.GetOrAdd(collection.Id, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var held = await AcquireGenerationLockAsync(collection, ct);
            _targets.TryRemove(collection.Id, out _); // another replica may have created or swapped a generation meanwhile
            var current = await ResolveAsync(collection, ct);
            if (current is not null && current.Dimension == dimension)
            {
                return current;
            }

            var next = await CreateGenerationAsync(collection, (current?.Generation ?? 0) + 1, dimension, ct);
            await SwapAliasAsync(collection, next, ct);
            if (current is not null)
            {
                await DeleteCollectionAsync(current.Name, ct);
            }

            return next;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Waits for the collection's generation lock, asking every GenerationLockRetryInterval; null without a cluster lock.</summary>
    private async Task<IAsyncDisposable?> AcquireGenerationLockAsync(CollectionInfo collection, CancellationToken ct)
    {
        if (_clusterLock is null)
        {
            return null;
        }

        var name = string.Create(CultureInfo.InvariantCulture, $"qdrant-generation:{collection.Id}");
        while (true)
        {
            if (await _clusterLock.TryAcquireAsync(name, ct) is { } held)
            {
                return held;
            }

            await Task.Delay(_options.GenerationLockRetryInterval, ct);
        }
    }

    private async Task<Target> CreateGenerationAsync(CollectionInfo collection, int generation, int dimension, CancellationToken ct)
    {
        var name = _names.Physical(collection.Name, collection.Id, generation);
        var exists = await _calls.RunAsync("look up a collection", d => _client.Collections.CollectionExistsAsync(new CollectionExistsRequest { CollectionName = name }, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        if (exists.Result.Exists)
        {
            await DeleteCollectionAsync(name, ct); // left by a creation that failed halfway
        }

        var create = _requests.CreateCollection(name, dimension);
        await _calls.RunAsync("create a collection", d => _client.Collections.CreateAsync(create, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        await CreatePayloadIndexesAsync(_requests.PayloadIndexes(name), ct);
        return new Target(name, generation, dimension);
    }

    private async Task CreatePayloadIndexesAsync(IEnumerable<CreateFieldIndexCollection> indexes, CancellationToken ct)
    {
        foreach (var index in indexes)
        {
            await _calls.RunAsync("create a payload index", d => _client.Points.CreateFieldIndexAsync(index, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }
    }

    private async Task SwapAliasAsync(CollectionInfo collection, Target target, CancellationToken ct)
    {
        var alias = _names.Alias(collection.Name);
        var aliases = await _calls.RunAsync("list aliases", d => _client.Collections.ListAliasesAsync(new ListAliasesRequest(), deadline: d, cancellationToken: ct).ResponseAsync, ct);
        var change = _requests.SwapAlias(alias, target.Name, aliases.Aliases.Any(a => a.AliasName == alias));
        await _calls.RunAsync("swap an alias", d => _client.Collections.UpdateAliasesAsync(change, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        _targets[collection.Id] = target;
    }

    private async Task DropAsync(long collectionId, CancellationToken ct)
    {
        var collections = await _calls.RunAsync("list collections", d => _client.Collections.ListAsync(new ListCollectionsRequest(), deadline: d, cancellationToken: ct).ResponseAsync, ct);
        foreach (var name in collections.Collections.Select(c => c.Name).Where(n => _names.Parse(n)?.CollectionId == collectionId))
        {
            await DeleteCollectionAsync(name, ct); // Qdrant removes the aliases of a deleted collection with it
        }
    }

    private Task DeleteCollectionAsync(string name, CancellationToken ct) =>
        _calls.RunAsync("delete a collection", d => _client.Collections.DeleteAsync(new DeleteCollection { CollectionName = name }, deadline: d, cancellationToken: ct).ResponseAsync, ct);

    /// <summary>Best effort after a failed write: removes the points it had added, so no point outlives the rolled-back chunk ids.</summary>
    private async Task ForgetAddedAsync(Target target, IReadOnlyList<IndexEntry> added, CancellationToken ct)
    {
        try
        {
            var delete = _requests.DeleteChunks(target.Name, added.Select(a => a.ChunkId));
            await _calls.RunAsync("undo a write", d => _client.Points.DeleteAsync(delete, deadline: d, cancellationToken: ct).ResponseAsync, ct);
        }
        catch (StorageUnavailableException e)
        {
            _logger.FailedWriteCleanupFailed(e, target.Name);
        }
    }

    private sealed record Target(string Name, int Generation, int Dimension);
}
