using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using static RagService.Api.Tests.Sync.JobPolling;

namespace RagService.Api.Tests.Sync;

/// <summary>The README's own example: this repository's docs folder synced as a knowledge base; every file ingests.</summary>
public sealed class RepositoryDocsSyncTests
{
    [Fact]
    public async Task Every_file_of_the_repository_docs_folder_ingests()
    {
        var docs = Path.Combine(RepositoryRoot(), "docs");
        var files = Directory.GetFiles(docs, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(docs, f).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();
        Assert.Contains("extraction.md", files); // names %PDF- near its top
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("docs");
        var archive = TestArchives.Zip(zip =>
        {
            foreach (var file in files)
            {
                TestArchives.AddZipEntry(zip, file, File.ReadAllBytes(Path.Combine(docs, file)));
            }
        });

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/collections/docs/sync?prune=true") { Content = TestArchives.Body(archive) };
        var response = await host.Client.SendAsync(request);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, json.ToString());
        var job = response.StatusCode == HttpStatusCode.OK ? json : await WaitAsync(host.Client, json.GetProperty("id").GetString()!);

        Assert.True(job.GetProperty("failed").GetArrayLength() == 0, job.GetProperty("failed").ToString());
        Assert.Equal(files, Paths(job, "added"));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("RagService.sln not found above " + AppContext.BaseDirectory);
    }
}
