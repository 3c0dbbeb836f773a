using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using RagService.Api.Hosting;
using RagService.Storage.Sqlite;

namespace RagService.Api.Tests;

/// <summary>The real service on Kestrel at a free loopback port, with its own SQLite file in a temp folder.</summary>
public sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _sqliteDatabase;
    private bool _stopped;

    private ServiceHost(WebApplication app, string directory, HttpClient client)
    {
        _app = app;
        _sqliteDatabase = app.Services.GetService<SqliteStoreOptions>()?.DatabasePath; // the file the store opened; none on PostgreSQL
        Directory = directory;
        Client = client;
    }

    /// <summary>The admin key every test host starts with (Rag:Auth:BootstrapKey); <see cref="Client"/> sends it.</summary>
    public const string BootstrapKey = "test-bootstrap-admin-key-0123456789";

    public string Directory { get; }

    /// <summary>Settings that put a host on another store than SQLite, from the test's store choice (set by the Api tests' StoreChoice).</summary>
    public static Func<IReadOnlyList<string>, IEnumerable<string>>? StoreArguments { get; set; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public string DatabasePath => Path.Combine(Directory, "rag.db");

    public static Task<ServiceHost> StartAsync(params string[] settings) => StartAsync(null, settings);

    /// <param name="configure">Runs before the service registers its components (e.g. to add a test double).</param>
    public static async Task<ServiceHost> StartAsync(Action<WebApplicationBuilder>? configure, params string[] settings)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ragsvc-test-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(dir);
        var args = new List<string>
        {
            "--urls", "http://127.0.0.1:0", $"--Rag:DatabasePath={Path.Combine(dir, "rag.db")}", "--Serilog:MinimumLevel:Default=Warning",
            $"--Rag:Auth:BootstrapKey={BootstrapKey}", "--Rag:Swagger:Enabled=true",
        };
        args.AddRange(settings);
        args.AddRange(StoreArguments?.Invoke(args) ?? []);
        WebApplication app;
        try
        {
            app = RagServiceApp.Build(args.ToArray(), configure);
        }
        catch
        {
            System.IO.Directory.Delete(dir, recursive: true);
            throw;
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", BootstrapKey);
        return new ServiceHost(app, dir, client);
    }

    /// <summary>A client of this host that sends <paramref name="apiKey"/> as X-Api-Key, or no key at all.</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = Client.BaseAddress, Timeout = Client.Timeout };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation("X-Api-Key", apiKey);
        }

        return client;
    }

    public async Task CreateCollectionAsync(string name, object? settings = null)
    {
        var body = settings ?? new { name };
        var response = await Client.PostAsJsonAsync("/v1/collections", body);
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
    }

    public async Task<JsonElement> IngestAsync(string collection, object document)
    {
        var response = await Client.PostAsJsonAsync($"/v1/collections/{collection}/documents", document);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public async Task<JsonElement> SearchAsync(string collection, string query, int topK = 5, string? mode = null, object? filter = null)
    {
        var response = await Client.PostAsJsonAsync($"/v1/collections/{collection}/search", new { query, topK, mode, filter });
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    public static IReadOnlyList<string> HitTexts(JsonElement search, string property = "hits") =>
        search.GetProperty(property).EnumerateArray().Select(h => h.GetProperty("text").GetString()!).ToList();

    /// <summary>
    /// Stops the service and releases its data folder (indexes closed, lock dropped, its SQLite pool released) but keeps the
    /// folder, so that another host can start on the same database. Idempotent; <see cref="DisposeAsync"/> calls it.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_sqliteDatabase is not null)
        {
            SqliteStorePool.Release(_sqliteDatabase);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
