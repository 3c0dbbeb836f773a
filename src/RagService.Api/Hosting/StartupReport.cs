using RagService.Core.Storage;

namespace RagService.Api.Hosting;

/// <summary>What the host says once at start, after the container is built.</summary>
internal static class StartupReport
{
    /// <summary>Which store the service runs on and where, so a wrong Rag:Store or path shows in the first lines of the log.</summary>
    public static void LogStoreChoice(this WebApplication app)
    {
        var store = app.Services.GetRequiredService<IStoreDescription>();
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RagService").StoreChosen(store.Kind, store.Location);
    }
}
