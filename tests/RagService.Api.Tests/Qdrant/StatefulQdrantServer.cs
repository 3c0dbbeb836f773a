using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Qdrant.Client.Grpc;

namespace RagService.Api.Tests.Qdrant;

/// <summary>
/// A stand-in for Qdrant's gRPC port that keeps state, for the calls the adapter makes to create a generation, swap an
/// alias and store points: collections (with their vector size and point ids), aliases, and every deleted collection.
/// <see cref="HoldNextCreate"/> is the test's gate: the next CreateCollection is recorded, then answered only once the
/// test calls <see cref="ReleaseCreate"/>. Calls it does not serve get UNIMPLEMENTED.
/// </summary>
public sealed class StatefulQdrantServer : IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<string, (ulong Size, HashSet<ulong> Points)> _collections = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _aliases = new(StringComparer.Ordinal);
    private readonly List<string> _deleted = [];
    private readonly TaskCompletionSource _createArrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _createReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _app;
    private bool _holdNextCreate;

    public string Url { get; private set; } = "";

    /// <summary>Completes when the held CreateCollection has arrived (and its collection exists).</summary>
    public Task CreateArrived => _createArrived.Task;

    public static async Task<StatefulQdrantServer> StartAsync()
    {
        var server = new StatefulQdrantServer();
        (server._app, server.Url) = await FakeQdrantServer.ListenAsync(server.AnswerAsync);
        return server;
    }

    public void HoldNextCreate() => _holdNextCreate = true;

    public void ReleaseCreate() => _createReleased.TrySetResult();

    /// <summary>The collections now, each with its point ids, in name order.</summary>
    public IReadOnlyList<(string Name, ulong Size, ulong[] Points)> Collections()
    {
        lock (_gate)
        {
            return _collections.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => (c.Key, c.Value.Size, c.Value.Points.Order().ToArray())).ToList();
        }
    }

    public IReadOnlyDictionary<string, string> Aliases()
    {
        lock (_gate)
        {
            return new Dictionary<string, string>(_aliases);
        }
    }

    public IReadOnlyList<string> Deleted()
    {
        lock (_gate)
        {
            return [.. _deleted];
        }
    }

    private async Task AnswerAsync(HttpContext http)
    {
        switch (http.Request.Path.Value)
        {
            case "/qdrant.Collections/ListAliases":
                await http.Request.Body.CopyToAsync(Stream.Null);
                var list = new ListAliasesResponse();
                lock (_gate)
                {
                    list.Aliases.AddRange(_aliases.Select(a => new AliasDescription { AliasName = a.Key, CollectionName = a.Value }));
                }

                await FakeQdrantServer.ReplyAsync(http, list);
                break;
            case "/qdrant.Collections/CollectionExists":
                var asked = await FakeQdrantServer.ReadAsync(http, CollectionExistsRequest.Parser);
                bool exists;
                lock (_gate)
                {
                    exists = _collections.ContainsKey(asked.CollectionName);
                }

                await FakeQdrantServer.ReplyAsync(http, new CollectionExistsResponse { Result = new CollectionExists { Exists = exists } });
                break;
            case "/qdrant.Collections/Create":
                await CreateAsync(http, await FakeQdrantServer.ReadAsync(http, CreateCollection.Parser));
                break;
            case "/qdrant.Points/CreateFieldIndex":
                await FakeQdrantServer.ReadAsync(http, CreateFieldIndexCollection.Parser);
                await FakeQdrantServer.ReplyAsync(http, new PointsOperationResponse { Result = new UpdateResult { Status = UpdateStatus.Completed } });
                break;
            case "/qdrant.Collections/UpdateAliases":
                var change = await FakeQdrantServer.ReadAsync(http, ChangeAliases.Parser);
                lock (_gate)
                {
                    foreach (var action in change.Actions)
                    {
                        if (action.DeleteAlias is { } delete)
                        {
                            _aliases.Remove(delete.AliasName);
                        }

                        if (action.CreateAlias is { } create)
                        {
                            _aliases[create.AliasName] = create.CollectionName;
                        }
                    }
                }

                await FakeQdrantServer.ReplyAsync(http, new CollectionOperationResponse { Result = true });
                break;
            case "/qdrant.Collections/Delete":
                var gone = await FakeQdrantServer.ReadAsync(http, DeleteCollection.Parser);
                lock (_gate)
                {
                    _collections.Remove(gone.CollectionName);
                    _deleted.Add(gone.CollectionName);
                    foreach (var alias in _aliases.Where(a => a.Value == gone.CollectionName).Select(a => a.Key).ToList())
                    {
                        _aliases.Remove(alias);
                    }
                }

                await FakeQdrantServer.ReplyAsync(http, new CollectionOperationResponse { Result = true });
                break;
            case "/qdrant.Collections/Get":
                await DescribeAsync(http, await FakeQdrantServer.ReadAsync(http, GetCollectionInfoRequest.Parser));
                break;
            case "/qdrant.Points/Upsert":
                var upsert = await FakeQdrantServer.ReadAsync(http, UpsertPoints.Parser);
                bool found;
                lock (_gate)
                {
                    found = _collections.TryGetValue(upsert.CollectionName, out var target);
                    target.Points?.UnionWith(upsert.Points.Select(p => p.Id.Num));
                }

                await FakeQdrantServer.ReplyAsync(http, found ? new PointsOperationResponse { Result = new UpdateResult { Status = UpdateStatus.Completed } } : null,
                    found ? 0 : 5, found ? "" : $"Collection `{upsert.CollectionName}` doesn't exist!");
                break;
            default:
                await http.Request.Body.CopyToAsync(Stream.Null);
                await FakeQdrantServer.ReplyAsync(http, null, 12, "not served by the fake");
                break;
        }
    }

    private async Task CreateAsync(HttpContext http, CreateCollection create)
    {
        bool hold;
        lock (_gate)
        {
            if (_collections.ContainsKey(create.CollectionName))
            {
                hold = false;
            }
            else
            {
                _collections[create.CollectionName] = (create.VectorsConfig.ParamsMap.Map.Values.Single().Size, []);
                hold = _holdNextCreate;
                _holdNextCreate = false;
            }
        }

        if (hold)
        {
            _createArrived.TrySetResult();
            await _createReleased.Task;
        }

        await FakeQdrantServer.ReplyAsync(http, new CollectionOperationResponse { Result = true });
    }

    private async Task DescribeAsync(HttpContext http, GetCollectionInfoRequest request)
    {
        ulong? size;
        lock (_gate)
        {
            size = _collections.TryGetValue(request.CollectionName, out var found) ? found.Size : null;
        }

        if (size is not { } known)
        {
            await FakeQdrantServer.ReplyAsync(http, null, 5, $"Collection `{request.CollectionName}` doesn't exist!");
            return;
        }

        var map = new VectorParamsMap();
        map.Map.Add("dense", new VectorParams { Size = known, Distance = Distance.Cosine });
        var info = new global::Qdrant.Client.Grpc.CollectionInfo { Config = new CollectionConfig { Params = new CollectionParams { VectorsConfig = new VectorsConfig { ParamsMap = map } } } };
        await FakeQdrantServer.ReplyAsync(http, new GetCollectionInfoResponse { Result = info });
    }

    public async ValueTask DisposeAsync()
    {
        _createReleased.TrySetResult();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
