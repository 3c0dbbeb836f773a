using RagService.Api.Demo;
using RagService.Api.Health;
using RagService.Api.Ingestion;
using RagService.Api.Jobs;
using RagService.Api.Mcp;
using RagService.Api.RateLimiting;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Api.Telemetry;
using RagService.Extraction;
using RagService.Extraction.Isolation;
using RagService.Llm;

namespace RagService.Api.Hosting;

/// <summary>Composes the service: configuration, components, middleware and endpoints. Program.cs and the tests both start it here.</summary>
public static class RagServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read from the build output, so the working directory can be the caller's (see Rag:DatabasePath).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        HostConfiguration.AddEnvironmentShortcuts(builder.Configuration);
        configure?.Invoke(builder);

        var requestLogger = HostConfiguration.ConfigureLogging(builder);
        var rag = builder.Configuration.GetSection(RagOptions.Section).Get<RagOptions>() ?? new RagOptions();
        var ownership = DataFolderOwnership.Claim(rag, builder.Configuration, requestLogger);
        try
        {
            return Compose(builder, rag, ownership, requestLogger);
        }
        catch
        {
            ownership.Dispose();
            throw;
        }
    }

    private static WebApplication Compose(WebApplicationBuilder builder, RagOptions rag, DataFolderOwnership ownership, Serilog.ILogger requestLogger)
    {
        var (services, configuration) = (builder.Services, builder.Configuration);
        // Registered first, so the container disposes it last: the folders are released after every index closed its files.
        services.AddSingleton(_ => ownership);
        services.Configure<RagOptions>(configuration.GetSection(RagOptions.Section));
        services.AddRagHttp(rag).AddRagSwagger();
        services.AddRagAuth(configuration).AddRagRateLimits(configuration).AddRagTelemetry(configuration).AddRagMcpServer(configuration);
        var components = services.AddRagReadiness(configuration);

        StoreComposition.AddStore(services, rag, configuration);
        services.AddRagLexicalIndex(rag, configuration).AddRagVectorIndex(rag, configuration);
        services.AddDocumentExtraction(configuration.GetSection(ExtractionOptions.SectionName).Get<ExtractionOptions>() ?? new ExtractionOptions(),
            configuration.GetSection(ExtractionIsolationOptions.SectionName).Get<ExtractionIsolationOptions>() ?? new ExtractionIsolationOptions());
        var embeddingModelLoaded = services.AddRagOnnxModels(configuration, components);
        var llm = configuration.GetSection(LlmOptions.Section).Get<LlmOptions>() ?? new LlmOptions();
        services.AddRagChatModel(llm, components);
        services.AddRagRetrieval(rag, configuration, embeddingModelLoaded).AddRagAsk(rag).AddRagIngestion();
        services.AddSingleton<DocumentIngestor>().AddHttpContextAccessor().AddSingleton<RequestMapping>().AddRagJobs(rag);

        var app = builder.Build();
        app.Services.GetRequiredService<DataFolderOwnership>();
        app.UseRagRequestPipeline(requestLogger);

        app.MapCallerApi().MapChunksApi().MapCollectionsApi().MapDocumentsApi().MapHealthApi().MapJobsApi().MapKeysApi().MapSearchApi().MapSyncApi();
        app.MapMcpApi().MapOpenAiApi();
        app.MapRagMetrics();

        app.LogStoreChoice();
        if (rag.Demo)
        {
            DemoKnowledgeBase.EnsureAsync(app.Services, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Demo"), CancellationToken.None).GetAwaiter().GetResult();
        }

        return app;
    }
}
