using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagService.Api.Demo;
using RagService.Api.Errors;
using RagService.Api.Health;
using RagService.Api.Ingestion;
using RagService.Api.Jobs;
using RagService.Api.Logging;
using RagService.Api.Mcp;
using RagService.Api.RateLimiting;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Api.Telemetry;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Api.WebConsole;
using RagService.Core.Documents;
using RagService.Core.Indexing;
using RagService.Core.Ingestion;
using RagService.Core.Jobs;
using RagService.Core.Lexical;
using RagService.Core.Models;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Vectors.Qdrant;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Retrieval.Pipeline;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Extraction;
using RagService.Extraction.Isolation;
using RagService.Lexical.Lucene;
using RagService.Lexical.Lucene.Analysis;
using RagService.Lexical.Memory;
using RagService.Llm;
using RagService.Onnx;
using RagService.VectorIndex;
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

        var requestLogger = ConfigureLogging(builder);
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
        // Resolved first below, so the container disposes it last: the folders are released after every index closed its files.
        builder.Services.AddSingleton(_ => ownership);
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

            o.AddSecurityDefinition(ApiKeyAuthenticationHandler.SchemeName, new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.ApiKey,
                In = Microsoft.OpenApi.ParameterLocation.Header,
                Name = ApiKeyAuthenticationHandler.HeaderName,
                Description = "An API key (rag keys create, POST /v1/keys, or the bootstrap key). Authorization: Bearer KEY works too.",
            });
            o.AddSecurityRequirement(document => new Microsoft.OpenApi.OpenApiSecurityRequirement
            {
                [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(ApiKeyAuthenticationHandler.SchemeName, document)] = [],
            });
        });
        builder.Services.AddRagAuth(builder.Configuration);
        builder.Services.AddRagRateLimits(builder.Configuration);
        builder.Services.AddRagTelemetry(builder.Configuration);
        builder.Services.AddRagMcpServer(builder.Configuration);

        AddComponents(builder, rag);
        var app = builder.Build();
        app.Services.GetRequiredService<DataFolderOwnership>();

        app.UseSerilogRequestLogging(o => RequestLog.Configure(o, requestLogger));
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Swagger is off in Production unless Rag:Swagger:Enabled says otherwise; it documents, it grants nothing.
        if (builder.Configuration.GetValue<bool?>("Rag:Swagger:Enabled") ?? app.Environment.IsDevelopment())
        {
            app.UseSwagger();
            app.UseSwaggerUI(o =>
            {
                o.SwaggerEndpoint("/swagger/v1/swagger.json", "RagService v1");
                o.EnablePersistAuthorization();
            });
        }

        app.UseRagWebConsole();

        app.UseRagAuthentication();
        app.UseRateLimiter();
        app.UseRagAuthorization();
        IEndpointModule.MapAll(app);
        app.MapRagMetrics();

        var startup = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("RagService");
        var store = app.Services.GetRequiredService<IStoreDescription>();
        startup.LogInformation("Store: {Kind} at {Location} (Rag:Store; Rag:DatabasePath or RAG_DB for sqlite, Rag:Postgres:ConnectionString or RAG_POSTGRES for postgres)", store.Kind, store.Location);
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
        var health = builder.Configuration.GetSection(HealthOptions.Section).Get<HealthOptions>() ?? new HealthOptions();
        services.AddSingleton(new ReadinessPolicy(health.Required(builder.Configuration["Rag:VectorStore"] ?? "embedded")));

        StoreComposition.AddStore(services, rag, builder.Configuration);
        AddLexicalIndex(services, rag, builder.Configuration);
        AddVectorIndex(services, rag, builder.Configuration);
        services.AddLuceneHighlighter();
        services.AddSingleton(new AnalyzerCatalog(("mixed", new MixedScriptAnalyzer()), ("smartcn", new SmartCnTextAnalyzer())));
        var extraction = builder.Configuration.GetSection(ExtractionOptions.SectionName).Get<ExtractionOptions>() ?? new ExtractionOptions();
        var isolation = builder.Configuration.GetSection(ExtractionIsolationOptions.SectionName).Get<ExtractionIsolationOptions>() ?? new ExtractionIsolationOptions();
        services.AddDocumentExtraction(extraction, isolation);

        // Models load once at start; a broken model turns its stage "failed" (reported in /health/ready) unless the
        // section sets Required, which stops the start with the loader's message.
        var embedding = builder.Configuration.GetSection("Rag:Embedding").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var reranking = builder.Configuration.GetSection("Rag:Reranker").Get<OnnxModelOptions>() ?? new OnnxModelOptions();
        var (embedder, denseStatus) = OnnxModelLoader.LoadEmbedder(embedding);
        var (reranker, rerankStatus) = OnnxModelLoader.LoadReranker(reranking);
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Embedding", embedding, denseStatus);
        OnnxModelLoader.ThrowIfRequiredFailed("Rag:Reranker", reranking, rerankStatus);
        components.Set(denseStatus);
        components.Set(rerankStatus);
        var retrieval = builder.Configuration.GetSection("Rag:Retrieval").Get<RetrievalOptions>() ?? new RetrievalOptions();
        retrieval.Calibration.Validate();
        retrieval.ModelFit.Validate();
        retrieval.Neighbours.Validate();
        services.AddSingleton(retrieval);
        services.AddSingleton(sp => new CalibrationSchedule(retrieval.Calibration, sp.GetKeyedService<TimeProvider>(CalibrationSchedule.ClockKey)));
        services.AddHostedService<RagService.Api.Calibration.CalibrationWorker>();
        if (embedder is not null)
        {
            services.AddSingleton(embedder);
            services.AddSingleton(sp => new FusionCalibrationService(sp.GetRequiredService<IKnowledgeStore>(), sp.GetRequiredService<IIndexSource>(),
                sp.GetRequiredService<IFusionCalibrationStore>(), sp.GetRequiredService<AnalyzerCatalog>(), sp.GetRequiredService<ITextEmbedder>(),
                retrieval.Calibration, new Bm25Parameters { HeaderWeight = rag.HeaderWeight }, sp.GetRequiredService<CalibrationSchedule>(),
                sp.GetService<ICalibrationObserver>()));
            services.AddSingleton(sp => new ModelFitCheck(sp.GetRequiredService<IKnowledgeStore>(), sp.GetRequiredService<IIndexSource>(),
                sp.GetRequiredService<ITextEmbedder>(), retrieval.ModelFit, retrieval.Calibration));
            services.AddSingleton<IComponentHealth>(sp => sp.GetRequiredService<ModelFitCheck>());
        }

        if (reranker is not null)
        {
            services.AddSingleton(reranker);
        }

        services.AddSearchPipeline();
        services.AddSingleton<DocumentIngestor>();
        services.AddSingleton<RequestMapping>();
        AddJobs(services, rag);

        var llm = builder.Configuration.GetSection(LlmOptions.Section).Get<LlmOptions>() ?? new LlmOptions();
        services.AddRagLlm(llm);
        if (llm.IsConfigured)
        {
            // Replaced at each readiness check by the probe's cached answer (LlmReadinessProbe).
            components.Set(ComponentStatus.On("llm", $"{llm.Model} at {llm.BaseUri.Authority}"));
        }
        else
        {
            components.Set(ComponentStatus.Off("llm", "not configured: set RAG_LLM_URL (and RAG_LLM_MODEL, RAG_LLM_KEY)"));
        }

        rag.Conversation.Validate();
        rag.Context.Validate();
        services.AddSingleton(sp => new QuestionRewriter(sp.GetRequiredService<IRewritePromptRenderer>(), rag.Conversation, sp.GetService<IChatClient>(), llm.Model));
        services.AddSingleton(sp => new ContextAssembler(rag.Context,
            sp.GetService<ITextEmbedder>() is { } tokenizer ? new EmbeddingTokenCounter(tokenizer) : CharacterTokenCounter.Instance));
        services.AddSingleton(rag.Conversation);
        services.AddSingleton<AskService>();

        // Resolved from the container so that tests can put a counting embedder in place of the model.
        services.AddSingleton(sp => new IngestionService(sp.GetRequiredService<IKnowledgeStore>(), sp.GetRequiredService<AnalyzerCatalog>(),
            sp.GetService<ITextEmbedder>(),
            sp.GetService<IChatClient>() is { } chat ? new ChunkContextGenerator(chat, llm.Model, sp.GetRequiredService<IChunkContextCache>()) : null));
    }

    /// <summary>The BM25 engine named by Rag:Bm25Engine.</summary>
    /// <summary>Rag:VectorStore: "embedded" (HNSW beside the database, the default) or "qdrant" (section Rag:Qdrant, or RAG_QDRANT_URL).</summary>
    private static void AddVectorIndex(IServiceCollection services, RagOptions rag, IConfiguration configuration)
    {
        switch (configuration["Rag:VectorStore"] ?? "embedded")
        {
            case "embedded":
                services.AddHnswVectorIndex(Path.GetFullPath(rag.DatabasePath) + ".vectors");
                break;
            case "qdrant":
                // RAG_QDRANT_URL is only a fallback: a configured Rag:Qdrant:Url wins (CI sets the variable for every test).
                var qdrant = configuration.GetSection(QdrantOptions.SectionName).Get<QdrantOptions>() ?? new QdrantOptions();
                services.AddQdrantVectorIndex(qdrant with { Url = qdrant.Url ?? Environment.GetEnvironmentVariable("RAG_QDRANT_URL") });
                break;
            case var other:
                throw new InvalidOperationException($"Rag:VectorStore must be 'embedded' or 'qdrant', not '{other}'.");
        }
    }

    private static void AddLexicalIndex(IServiceCollection services, RagOptions rag, IConfiguration configuration)
    {
        var bm25 = new Bm25Parameters { HeaderWeight = rag.HeaderWeight };
        switch (rag.Bm25Engine)
        {
            case "memory":
                services.AddMemoryLexicalIndex(bm25);
                break;
            case "lucene":
                var lucene = configuration.GetSection("Rag:Lucene").Get<LuceneOptions>() ?? new LuceneOptions();
                services.AddLuceneLexicalIndex(lucene with
                {
                    Directory = string.IsNullOrWhiteSpace(lucene.Directory) ? Path.GetFullPath(rag.DatabasePath) + ".lucene" : lucene.Directory,
                    Bm25 = bm25,
                });
                break;
            default:
                throw new InvalidOperationException($"Rag:Bm25Engine must be \"memory\" or \"lucene\", not \"{rag.Bm25Engine}\"");
        }
    }

    private static void AddJobs(IServiceCollection services, RagOptions rag)
    {
        services.AddSingleton<JobQueue>();
        services.AddSingleton(new JobContentSpool(Path.GetFullPath(rag.DatabasePath) + ".spool"));
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

    private static Serilog.ILogger ConfigureLogging(WebApplicationBuilder builder)
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

        var logger = config.CreateLogger();
        builder.Logging.ClearProviders();
        builder.Services.AddSerilog(logger, dispose: true);
        return logger;
    }
}
