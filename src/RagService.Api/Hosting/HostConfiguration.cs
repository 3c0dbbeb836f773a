using Serilog;

namespace RagService.Api.Hosting;

/// <summary>Where the host's configuration and logs come from, before any component is composed.</summary>
internal static class HostConfiguration
{
    /// <summary>RAG_LLM_URL / RAG_LLM_MODEL / RAG_LLM_KEY / RAG_DB are accepted besides the usual Llm__Url style keys.</summary>
    public static void AddEnvironmentShortcuts(ConfigurationManager configuration)
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

    public static Serilog.ILogger ConfigureLogging(WebApplicationBuilder builder)
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
