using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagService.Api.Demo;
using RagService.Api.Endpoints;
using RagService.Api.Errors;
using RagService.Api.Jobs;
using RagService.Api.Logging;
using RagService.Core.Documents;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Models;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Extraction;
using RagService.Llm;
using RagService.Onnx;
using RagService.Storage.Sqlite;
using Serilog;

namespace RagService.Api.Hosting;

/// <summary>Composes the service: configuration, components, middleware and endpoints. Program.cs and the tests both start it here.</summary>
public static class RagServiceApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json is read from the build output, so the working directory can be the caller's (see Rag:DatabasePath).
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        AddEnvironmentShortcuts(builder.Configuration);
        configure?.Invoke(builder);

        ConfigureLogging(builder);
        var rag = builder.Configuration.GetSection(RagOptions.Section).Get<RagOptions>() ?? new RagOptions();
        builder.Services.Configure<RagOptions>(builder.Configuration.GetSection(RagOptions.Section));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = rag.Limits.MaxRequestBytes);
        builder.Services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(f => f.MultipartBodyLengthLimit = rag.Limits.MaxRequestBytes);
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.Configure<JsonOptions>(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);

        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.FillDetail);
        builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(o =>
        {
            o.SwaggerDoc("v1", new() { Title = "RagService", Version = "v1", Description = "Retrieval-augmented question answering over your documents." });
            var xml = Path.Combine(AppContext.BaseDirectory, "RagService.Api.xml");
            if (File.Exists(xml))
            {
                o.IncludeXmlComments(xml);
            }
        });

        AddComponents(builder, rag);
        var app = builder.Build();

        app.UseMiddleware<RequestLoggingMiddleware>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSwagger();
        app.UseSwaggerUI(o => o.SwaggerEndpoint("/swagger/v1/swagger.json", "RagService v1"));
        app.MapGet("/", () => Results.Redirect("/swagger")).ExcludeFromDescription();
        HealthEndpoints.Map(app);
        CollectionEndpoints.Map(app);
        DocumentEndpoints.Map(app);
        SearchEndpoints.Map(app);
        SyncEndpoints.Map(app);
        JobEndpoints.Map(app);

        var startup = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RagService");
        startup.LogInformation("Database: {Path} (set Rag:DatabasePath or RAG_DB to move it)", app.Services.GetRequiredService<SqliteKnowledgeStore>().DatabasePath);
        if (rag.Demo)
        {
            var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Demo");
            DemoKnowledgeBase.EnsureAsync(app.Services, log, CancellationToken.None).GetAwaiter().GetResult();
        }

        return app;
    }

    private static void AddComponents(WebApplicationBuilder builder, RagOptions rag)
    {
        var services = builder.Services;
        var components = new ComponentRegistry();
        services.AddSingleton(components);

        services.AddSingleton(sp => new SqliteKnowledgeStore(
            new SqliteStoreOptions { DatabasePath = rag.DatabasePath, HeaderWeight = rag.HeaderWeight, Bm25Engine = rag.Bm25Engine },
            sp.GetRequiredService<ILoggerFactory>().CreateLogger<SqliteKnowledgeStore>()));
        services.AddSingleton<IKnowledgeStore>(sp => sp.GetRequiredService<SqliteKnowledgeStore>());
        services.AddSingleton<ITextAnalyzer>(new MixedScriptAnalyzer());
        var extraction = builder.Configuration.GetSection(ExtractionOptions.SectionName).Get<ExtractionOptions>() ?? new ExtractionOptions();
        services.AddSingleton<IDocumentExtractor>(new DocumentExtractor(extraction));

        // Models load once at start; a missing or broken model turns its stage off (reported in /health/ready), never a crash.
        var embedding = builder.Configuration.GetSection("Rag:Embedding").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var reranking = builder.Configuration.GetSection("Rag:Reranker").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var (embedder, denseStatus) = OnnxModelLoader.LoadEmbedder(embedding);
        var (reranker, rerankStatus) = OnnxModelLoader.LoadReranker(reranking);
        components.Set(denseStatus);
        components.Set(rerankStatus);
        var retrieval = builder.Configuration.GetSection("Rag:Retrieval").Get<RetrievalOptions>() ?? new RetrievalOptions();
        if (embedder is not null)
        {
            services.AddSingleton(embedder);
        }

        if (reranker is not null)
        {
            services.AddSingleton(reranker);
        }

        services.AddSingleton(sp => new SearchService(sp.GetRequiredService<IKnowledgeStore>(), sp.GetRequiredService<ITextAnalyzer>(),
            sp.GetService<ITextEmbedder>(), sp.GetService<IReranker>(), retrieval));
        services.AddSingleton<DocumentIngestor>();
        services.AddSingleton<RequestMapping>();
        AddJobs(services, rag);

        var llm = builder.Configuration.GetSection("Llm").Get<LlmOptions>() ?? new LlmOptions();
        if (llm.IsConfigured)
        {
            components.Set(ComponentStatus.On("llm", $"{llm.Model} at {llm.Url}"));
            services.AddSingleton<IChatClient>(new OpenAiCompatibleChatClient(llm));
            services.AddSingleton(sp => new AskService(sp.GetRequiredService<SearchService>(), sp.GetRequiredService<IChatClient>(), llm.Model, retrieval));
        }
        else
        {
            components.Set(ComponentStatus.Off("llm", "not configured: set RAG_LLM_URL (and RAG_LLM_MODEL, RAG_LLM_KEY)"));
            services.AddSingleton(sp => new AskService(sp.GetRequiredService<SearchService>(), options: retrieval));
        }

        // Resolved from the container so that tests can put a counting embedder in place of the model.
        services.AddSingleton(sp => new IngestionService(sp.GetRequiredService<IKnowledgeStore>(), sp.GetRequiredService<ITextAnalyzer>(),
            sp.GetService<ITextEmbedder>(),
            sp.GetService<IChatClient>() is { } chat ? new ChunkContextGenerator(chat, llm.Model, sp.GetRequiredService<SqliteKnowledgeStore>()) : null));
    }

    private static void AddJobs(IServiceCollection services, RagOptions rag)
    {
        services.AddSingleton<IJobStore>(new SqliteJobStore(new SqliteStoreOptions { DatabasePath = rag.DatabasePath }));
        services.AddSingleton<JobQueue>();
        services.AddSingleton<CollectionJobLocks>();
        services.AddSingleton<SyncJobRunner>();
        services.AddSingleton<SyncSubmission>();
        services.AddHostedService<JobWorker>();
    }

    /// <summary>RAG_LLM_URL / RAG_LLM_MODEL / RAG_LLM_KEY / RAG_DB are accepted besides the usual Llm__Url style keys.</summary>
    private static void AddEnvironmentShortcuts(ConfigurationManager configuration)
    {
        var map = new Dictionary<string, string>
        {
            ["RAG_LLM_URL"] = "Llm:Url",
            ["RAG_LLM_MODEL"] = "Llm:Model",
            ["RAG_LLM_KEY"] = "Llm:ApiKey",
            ["RAG_DB"] = "Rag:DatabasePath",
        };
        var values = map.Where(kv => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(kv.Key)))
            .ToDictionary(kv => kv.Value, kv => Environment.GetEnvironmentVariable(kv.Key));
        if (values.Count > 0)
        {
            configuration.AddInMemoryCollection(values);
        }
    }

    private static void ConfigureLogging(WebApplicationBuilder builder)
    {
        var config = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
            .Enrich.FromLogContext()
            .ReadFrom.Configuration(builder.Configuration);
        if (!builder.Configuration.GetSection("Serilog:WriteTo").Exists())
        {
            config.WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
        }

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(config.CreateLogger(), dispose: true);
    }
}
