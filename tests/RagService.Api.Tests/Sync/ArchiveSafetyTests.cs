using System.Formats.Tar;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace RagService.Api.Tests.Sync;

/// <summary>Hostile archives are refused as a whole with a problem detail that names the entry and the rule, and nothing is written.</summary>
public sealed class ArchiveSafetyTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
        await _host.IngestAsync("kb", new { id = "keep", text = "This document must survive every refused sync." });
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static readonly byte[] Good = Encoding.UTF8.GetBytes("# Fine\n\nAn ordinary document.");

    public static TheoryData<string, HttpStatusCode, string> Cases => new()
    {
        { "traversal", HttpStatusCode.BadRequest, "'..'" },
        { "absolute", HttpStatusCode.BadRequest, "absolute" },
        { "windows-absolute", HttpStatusCode.BadRequest, "absolute" },
        { "zip-symlink", HttpStatusCode.BadRequest, "symbolic" },
        { "tar-symlink", HttpStatusCode.BadRequest, "symbolic" },
        { "tar-traversal", HttpStatusCode.BadRequest, "'..'" },
        { "10000-entries", HttpStatusCode.RequestEntityTooLarge, "MaxEntries" },
        { "zip-bomb", HttpStatusCode.RequestEntityTooLarge, "MaxFileBytes" },
        { "tar-bomb", HttpStatusCode.RequestEntityTooLarge, "MaxFileBytes" },
        { "not-an-archive", HttpStatusCode.UnsupportedMediaType, "zip or tar.gz" },
        { "truncated", HttpStatusCode.BadRequest, "damaged" },
        { "bad-manifest-path", HttpStatusCode.BadRequest, "manifest" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_archive_is_refused_and_nothing_is_written(string name, HttpStatusCode expected, string detailMentions)
    {
        var before = await SnapshotAsync();
        var response = await _host.Client.PostAsync("/v1/collections/kb/sync?prune=true", TestArchives.Body(Build(name)));

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(expected == response.StatusCode, $"{name}: expected {expected}, got {response.StatusCode}: {problem}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detailMentions, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task Bad_sync_plan_and_job_requests_get_problem_details_that_say_what_to_fix()
    {
        var before = await SnapshotAsync();
        async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status, string mentions)
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {problem}");
            Assert.Contains(mentions, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        await ExpectAsync(await _host.Client.PostAsync("/v1/collections/nope/sync", TestArchives.Body(ZipWith("a.md"))), HttpStatusCode.NotFound, "nope");
        await ExpectAsync(await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body([])), HttpStatusCode.BadRequest, "empty");
        await ExpectAsync(await _host.Client.GetAsync("/v1/jobs/job_missing"), HttpStatusCode.NotFound, "job_missing");
        await ExpectAsync(await _host.Client.PostAsJsonAsync("/v1/collections/kb/sync/plan", new { files = new[] { new { path = "a.md", sha256 = "xyz" } } }),
            HttpStatusCode.BadRequest, "sha256");
        await ExpectAsync(await _host.Client.PostAsJsonAsync("/v1/collections/kb/sync/plan", new { files = new[] { new { path = "../a.md", sha256 = new string('0', 64) } } }),
            HttpStatusCode.BadRequest, "'..'");
        using var badKey = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/kb/sync") { Content = TestArchives.Body(ZipWith("a.md")) };
        badKey.Headers.TryAddWithoutValidation("Idempotency-Key", new string('k', 300));
        await ExpectAsync(await _host.Client.SendAsync(badKey), HttpStatusCode.BadRequest, "Idempotency-Key");
        Assert.Equal(before, await SnapshotAsync());
    }

    private static byte[] Build(string name) => name switch
    {
        "traversal" => ZipWith("../evil.md"),
        "absolute" => ZipWith("/etc/cron.d/evil"),
        "windows-absolute" => ZipWith("C:\\Windows\\evil.md"),
        "zip-symlink" => TestArchives.Zip(zip =>
        {
            TestArchives.AddZipEntry(zip, "fine.md", Good);
            TestArchives.AddZipEntry(zip, "passwd.md", Encoding.UTF8.GetBytes("/etc/passwd")).ExternalAttributes = TestArchives.UnixSymlink << 16;
        }),
        "tar-symlink" => TestArchives.TarGz(tar =>
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fine.md") { DataStream = new MemoryStream(Good) });
            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "passwd.md") { LinkName = "/etc/passwd" });
        }),
        "tar-traversal" => TestArchives.TarGz(tar =>
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "docs/../../evil.md") { DataStream = new MemoryStream(Good) })),
        "10000-entries" => TestArchives.Zip(zip =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                TestArchives.AddZipEntry(zip, $"many/{i}.txt", [(byte)'x']);
            }
        }),
        // 32 MiB of zeros compresses to about 32 KiB; the per-file limit is 20 MiB.
        "zip-bomb" => TestArchives.Zip(zip => TestArchives.AddZipEntry(zip, "bomb.txt", new byte[32 * 1024 * 1024], CompressionLevel.SmallestSize)),
        "tar-bomb" => TestArchives.TarGz(tar =>
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "bomb.txt") { DataStream = new MemoryStream(new byte[32 * 1024 * 1024]) })),
        "not-an-archive" => Encoding.UTF8.GetBytes("just some text, not an archive"),
        "truncated" => TestArchives.Zip(new Dictionary<string, string> { ["a.md"] = new string('a', 5000) })[..60],
        "bad-manifest-path" => TestArchives.Zip(zip => TestArchives.AddZipEntry(zip, ".rag-sync-manifest.json",
            JsonSerializer.SerializeToUtf8Bytes(new { files = new[] { new { path = "../outside.md", sha256 = new string('0', 64) } } }))),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>A good file first, so a refusal after it shows that nothing is written before the whole archive is checked.</summary>
    private static byte[] ZipWith(string hostileName) => TestArchives.Zip(zip =>
    {
        TestArchives.AddZipEntry(zip, "fine.md", Good);
        TestArchives.AddZipEntry(zip, hostileName, Good);
    });

    private async Task<string> SnapshotAsync()
    {
        var docs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb/documents");
        var stats = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/kb");
        var jobs = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/jobs");
        return string.Join("|", docs.GetRawText(), stats.GetRawText(), jobs.GetRawText());
    }
}
