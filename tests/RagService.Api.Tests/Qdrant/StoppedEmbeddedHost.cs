namespace RagService.Api.Tests.Qdrant;

internal static class StoppedEmbeddedHost
{
    /// <summary>
    /// The "oven" document in collection "kb", written by a service on the embedded store and stopped (one process owns
    /// a data folder) with its folder kept, so that a service started on its database has something for BM25 to find.
    /// </summary>
    public static async Task<ServiceHost> WithOvenDocumentAsync()
    {
        var embedded = await ServiceHost.StartAsync(TestModelDirectories.ServiceArguments());
        await embedded.CreateCollectionAsync("kb");
        await embedded.IngestAsync("kb", new { id = "oven", text = "The oven reaches 450 degrees in twenty minutes." });
        await embedded.StopAsync();
        return embedded;
    }
}
