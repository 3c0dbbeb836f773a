using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using RagService.Api.Tests.Sync;
using RagService.Tests.Shared;

namespace RagService.Api.Tests.Cluster;

/// <summary>
/// Real replicas: the built service as separate processes (dotnet RagService.Api.dll) on loopback ports chosen at run
/// time, all on one PostgreSQL database of their own, each with its own local folder for its Lucene index. Without
/// RAG_POSTGRES the tests using it are skipped with the reason.
/// </summary>
internal sealed class ReplicaCluster : IAsyncDisposable
{
    private readonly PostgresTestDatabase _database;
    private readonly string _root = Directory.CreateTempSubdirectory("ragsvc-cluster-").FullName;
    private readonly ServiceProcess?[] _replicas;
    private readonly string[] _settings;
    private readonly StoreLink? _link;

    private ReplicaCluster(PostgresTestDatabase database, int count, string[] settings, bool throughLink)
    {
        _database = database;
        _settings = settings;
        _replicas = new ServiceProcess?[count];
        _settings = settings;
        _link = throughLink ? new StoreLink(database.ConnectionString!, Path.Combine(_root, "pg-socket")) : null;
    }

    public ServiceProcess this[int replica] => _replicas[replica] ?? throw new InvalidOperationException($"replica {replica} is stopped");

    /// <summary>The database as the test reaches it (always the real server, also while the replicas' link is cut).</summary>
    public string ConnectionString => _database.ConnectionString!;

    /// <summary>The replicas' way to the store: through <see cref="StoreLink"/> when the cluster was started with one.</summary>
    private string ReplicaConnectionString => _link?.ConnectionString ?? ConnectionString;

    /// <summary>The replicas' link to PostgreSQL, which the test cuts and restores; null unless started with throughLink.</summary>
    public StoreLink Link => _link ?? throw new InvalidOperationException("the cluster was started without a store link");

    /// <param name="replicas">How many replicas the cluster has room for.</param>
    /// <param name="started">How many of them start now (the first ones); all when null.</param>
    /// <param name="settings">More settings for every replica, e.g. "--Rag:Sync:LeaseSeconds=4" or "--Rag:Auth:CacheSeconds=2".</param>
    public static Task<ReplicaCluster> StartAsync(int replicas, int? started = null, params string[] settings) =>
        StartAsync(replicas, started, throughLink: false, settings);

    /// <param name="throughLink">The replicas reach PostgreSQL through a <see cref="StoreLink"/> the test can cut.</param>
    public static async Task<ReplicaCluster> StartAsync(int replicas, int? started, bool throughLink, params string[] settings)
    {
        Skip.If(PostgresTestDatabase.SkipReason is not null, PostgresTestDatabase.SkipReason);
        Skip.If(throughLink && !StoreLink.Possible, "needs RAG_POSTGRES on a Unix socket (as tests/postgres/start.sh starts it) to cut the replicas' link to it");
        var cluster = new ReplicaCluster(new PostgresTestDatabase(), replicas, settings, throughLink);
        try
        {
            // One at a time: the first migrates the schema (the others would wait on its advisory lock anyway).
            for (var i = 0; i < (started ?? replicas); i++)
            {
                await cluster.StartReplicaAsync(i);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>The replica's local Lucene folder: one "collection-&lt;id&gt;" index per collection it holds.</summary>
    public string LuceneFolderOf(int replica) => Path.Combine(_root, $"replica-{replica}", "rag.db.lucene");

    /// <summary>Starts (or restarts) replica <paramref name="replica"/> on its own local folder.</summary>
    public async Task StartReplicaAsync(int replica)
    {
        var folder = Path.Combine(_root, $"replica-{replica}");
        Directory.CreateDirectory(folder);
        _replicas[replica] = await ServiceProcess.StartAsync(Path.Combine(folder, "rag.db"),
            ["--Rag:Store=postgres", $"--Rag:Postgres:ConnectionString={ReplicaConnectionString}", "--Rag:Postgres:MaxPoolSize=10", .. _settings]);
    }

    /// <summary>SIGKILL (kill -9): no shutdown code runs; whatever the replica held (a job's lease) is left as it was.</summary>
    public async Task KillReplicaAsync(int replica)
    {
        this[replica].Kill();
        await this[replica].DisposeAsync();
        _replicas[replica] = null;
    }

    /// <summary>SIGTERM: a clean stop (Lucene commits its index at the version it holds).</summary>
    public async Task StopReplicaAsync(int replica)
    {
        Assert.Equal(0, this[replica].Terminate());
        await this[replica].DisposeAsync();
        _replicas[replica] = null;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            if (replica is not null)
            {
                await replica.DisposeAsync();
            }
        }

        _link?.Dispose();
        _database.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    public static async Task<JsonElement> CreateCollectionAsync(HttpClient client, string name)
    {
        var response = await client.PostAsJsonAsync("/v1/collections", new { name });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Posts a document; its body, with the version header checked against the body's version.</summary>
    public static async Task<JsonElement> WriteAsync(HttpClient client, string collection, string id, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/collections/{collection}/documents", new { id, text });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(body.GetProperty("version").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture),
            Assert.Single(response.Headers.GetValues("Rag-Collection-Version")));
        return body;
    }

    public static async Task<HttpResponseMessage> SearchAsync(HttpClient client, string collection, string query, long? minVersion = null,
        string? minVersionHeader = null, int topK = 10)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/collections/{collection}/search")
        {
            Content = JsonContent.Create(new { query, mode = "bm25", topK, minVersion }),
        };
        if (minVersionHeader is not null)
        {
            request.Headers.Add("Rag-Min-Version", minVersionHeader);
        }

        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> SearchOkAsync(HttpClient client, string collection, string query, long? minVersion = null, string? minVersionHeader = null,
        int topK = 10)
    {
        using var response = await SearchAsync(client, collection, query, minVersion, minVersionHeader, topK);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static List<string> DocumentIds(JsonElement search) =>
        search.GetProperty("hits").EnumerateArray().Select(h => h.GetProperty("documentId").GetString()!).ToList();

    public static async Task<JsonElement> Bm25StatsAsync(HttpClient client, string collection) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}")).GetProperty("bm25");

    /// <summary>
    /// Waits until the replica's BM25 index of the collection holds at least <paramref name="version"/> (the change-log
    /// follower's work, no search involved); fails after a generous limit that only a broken follower reaches.
    /// </summary>
    public static Task WaitForIndexVersionAsync(HttpClient client, string collection, long version) =>
        PollAsync(async () => (await Bm25StatsAsync(client, collection)).GetProperty("version"), held => held.ValueKind == JsonValueKind.Number && held.GetInt64() >= version,
            held => $"the replica's index did not reach version {version}: {held}", interval: 50);

    /// <summary>
    /// Reads <paramref name="read"/> every <paramref name="interval"/> ms until <paramref name="reached"/> holds and returns
    /// that reading; fails with <paramref name="failure"/> of the last one after <paramref name="bound"/> (2 minutes unless
    /// given): a generous bound that only stops what never gets there, never a timing the test asserts.
    /// </summary>
    public static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> reached, Func<T, string> failure, TimeSpan? bound = null, int interval = 100)
    {
        var deadline = DateTime.UtcNow + (bound ?? TimeSpan.FromMinutes(2));
        while (true)
        {
            var reading = await read();
            if (reached(reading))
            {
                return reading;
            }

            Assert.True(DateTime.UtcNow < deadline, failure(reading));
            await Task.Delay(interval);
        }
    }
}
