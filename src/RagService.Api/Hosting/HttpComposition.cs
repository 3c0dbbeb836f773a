using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using RagService.Api.Errors;
using RagService.Api.Logging;
using RagService.Api.Security;
using RagService.Api.WebConsole;
using Serilog;

namespace RagService.Api.Hosting;

/// <summary>The HTTP surface every route shares: body limits, JSON, RFC 7807 problem details, Swagger.</summary>
internal static class HttpComposition
{
    /// <summary>Request bodies up to Rag:Limits:MaxRequestBytes; bad route input is a 400 problem, never a 500.</summary>
    public static IServiceCollection AddRagHttp(this IServiceCollection services, RagOptions rag)
    {
        services.Configure<KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = rag.Limits.MaxRequestBytes);
        services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = rag.Limits.MaxRequestBytes);
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o => o.SerializerOptions.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.FillDetail);
        services.AddExceptionHandler<ProblemExceptionHandler>();
        return services;
    }

    /// <summary>The OpenAPI document with the XML comments and the API key scheme.</summary>
    public static IServiceCollection AddRagSwagger(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(o =>
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
        return services;
    }

    /// <summary>
    /// The middleware every request passes, in this order: the request log, problem details for exceptions and bare
    /// status codes, Swagger and the web console (static), then authentication, rate limits (per key) and authorization.
    /// </summary>
    public static WebApplication UseRagRequestPipeline(this WebApplication app, Serilog.ILogger requestLogger)
    {
        app.UseSerilogRequestLogging(o => RequestLog.Configure(o, requestLogger));
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRagSwagger();
        app.UseRagWebConsole();
        app.UseRagAuthentication();
        app.UseRateLimiter();
        app.UseRagAuthorization();
        return app;
    }

    /// <summary>Swagger UI is off in Production unless Rag:Swagger:Enabled says otherwise; it documents, it grants nothing.</summary>
    public static WebApplication UseRagSwagger(this WebApplication app)
    {
        if (app.Configuration.GetValue<bool?>("Rag:Swagger:Enabled") ?? app.Environment.IsDevelopment())
        {
            app.UseSwagger();
            app.UseSwaggerUI(o =>
            {
                o.SwaggerEndpoint("/swagger/v1/swagger.json", "RagService v1");
                o.EnablePersistAuthorization();
            });
        }

        return app;
    }
}
