using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using RagService.Api.Security;
using RagService.Core.Diagnostics;
using RagService.Core.Security;

namespace RagService.Api.Telemetry;

/// <summary>The "Rag:Telemetry" section.</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Rag:Telemetry";

    /// <summary>OTLP collector (e.g. http://otel-collector:4317); unset = no export over OTLP. OTEL_EXPORTER_OTLP_ENDPOINT works too.</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>"grpc" (default) or "http/protobuf".</summary>
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary>Serve Prometheus text at <see cref="PrometheusPath"/> (admin keys only).</summary>
    public bool Prometheus { get; set; } = true;

    public string PrometheusPath { get; set; } = "/metrics";

    public void Validate()
    {
        if (OtlpEndpoint is { Length: > 0 } e && !Uri.TryCreate(e, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"Rag:Telemetry:OtlpEndpoint must be an absolute URL, not '{e}'");
        }

        if (OtlpProtocol is not ("grpc" or "http/protobuf"))
        {
            throw new InvalidOperationException("Rag:Telemetry:OtlpProtocol must be \"grpc\" or \"http/protobuf\"");
        }

        if (!PrometheusPath.StartsWith('/'))
        {
            throw new InvalidOperationException("Rag:Telemetry:PrometheusPath must start with '/'");
        }
    }
}

/// <summary>
/// OpenTelemetry over the service's own ActivitySource and Meter (<see cref="RagTelemetry"/>) and ASP.NET Core's
/// (one span and one http.server.request.duration sample per request). Traces are exported only over OTLP; metrics
/// over OTLP and the admin-only Prometheus endpoint.
/// </summary>
public static class TelemetryRegistration
{
    public static IServiceCollection AddRagTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();
        options.Validate();
        services.AddSingleton(options);
        var otlp = options.OtlpEndpoint is { Length: > 0 } ? options.OtlpEndpoint
            : Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT") is { Length: > 0 } env ? env : null;
        var telemetry = services.AddOpenTelemetry().ConfigureResource(r => r.AddService(RagTelemetry.Name));
        if (otlp is not null)
        {
            telemetry.WithTracing(t => t.AddSource(RagTelemetry.Name).AddAspNetCoreInstrumentation().AddOtlpExporter(o => Configure(o, otlp, "traces", options)));
        }

        telemetry.WithMetrics(m =>
        {
            m.AddMeter(RagTelemetry.Name).AddAspNetCoreInstrumentation();
            if (options.Prometheus)
            {
                m.AddPrometheusExporter();
            }

            if (otlp is not null)
            {
                m.AddOtlpExporter(o => Configure(o, otlp, "metrics", options));
            }
        });
        return services;
    }

    public static WebApplication MapRagMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<TelemetryOptions>();
        if (options.Prometheus)
        {
            app.MapPrometheusScrapingEndpoint(options.PrometheusPath).RequireRole(ApiRole.Admin, allCollections: true);
        }

        return app;
    }

    /// <summary>Over http/protobuf an endpoint set in code is used as is, so each signal gets its own path (/v1/traces, /v1/metrics).</summary>
    private static void Configure(OtlpExporterOptions o, string endpoint, string signal, TelemetryOptions options)
    {
        var grpc = options.OtlpProtocol == "grpc";
        o.Protocol = grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
        o.Endpoint = new Uri(grpc ? endpoint : $"{endpoint.TrimEnd('/')}/v1/{signal}");
    }
}
