using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>API keys, roles, CORS and the cross-site guard, registered over the "Rag:Auth" and "Rag:Cors" sections.</summary>
public static class AuthRegistration
{
    public static IServiceCollection AddRagAuth(this IServiceCollection services, IConfiguration configuration)
    {
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        auth.Validate();
        var cors = configuration.GetSection(CorsAllowListOptions.Section).Get<CorsAllowListOptions>() ?? new CorsAllowListOptions();
        cors.Validate();
        services.AddSingleton(Options.Create(auth));
        services.AddSingleton(Options.Create(cors));

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyService>();
        var jwt = configuration.GetSection(JwtOptions.Section).Get<JwtOptions>() ?? new JwtOptions();
        jwt.Validate();
        services.AddSingleton(Options.Create(jwt));
        var authentication = services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        if (jwt.Enabled)
        {
            JwtCallers.Register(authentication, jwt);
        }

        // A route that declares nothing still needs a reader key: forgetting a declaration cannot open a route.
        services.AddAuthorizationBuilder().SetFallbackPolicy(RagPolicies.For(ApiRole.Reader));
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, AuthProblemResultHandler>();
        services.AddCors(o => o.AddDefaultPolicy(p =>
        {
            if (cors.AllowedOrigins.Length > 0)
            {
                p.WithOrigins(cors.AllowedOrigins).AllowAnyMethod()
                    .WithHeaders(ApiKeyAuthenticationHandler.HeaderName, "Authorization", "Content-Type", "Idempotency-Key", Delegation.HeaderName)
                    .WithExposedHeaders("Location", "Retry-After")
                    .SetPreflightMaxAge(cors.PreflightMaxAge);
            }
        }));
        services.AddHostedService<AuthStartupReport>();
        return services;
    }

    /// <summary>CORS, then who is calling; the rate limiter runs between this and <see cref="UseRagAuthorization"/> so it can count per key.</summary>
    public static WebApplication UseRagAuthentication(this WebApplication app)
    {
        app.UseCors();
        app.UseAuthentication();
        return app;
    }

    /// <summary>What the caller may do; then the cross-site guard, so a request without a valid key gets its 401 first.</summary>
    public static WebApplication UseRagAuthorization(this WebApplication app)
    {
        app.UseAuthorization();
        app.UseMiddleware<CrossSiteRequestGuard>();
        return app;
    }
}

/// <summary>Says at start-up how callers authenticate: how to create the first key, or a loud warning for Mode=none off loopback.</summary>
internal sealed class AuthStartupReport(
    IOptions<AuthOptions> options, ApiKeyService keys, IApiKeyStore store, IServer server, IHostApplicationLifetime lifetime, ILogger<AuthStartupReport> logger)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() => _ = ReportSafelyAsync());
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task ReportSafelyAsync()
    {
        try
        {
            await ReportAsync();
        }
        catch (Exception e)
        {
            logger.KeyStoreCheckFailed(e);
        }
    }

    private async Task ReportAsync()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        if (!options.Value.KeysRequired)
        {
            var exposed = addresses.Where(a => !IsLoopback(a)).ToList();
            if (exposed.Count > 0)
            {
                logger.AuthOffAndExposed(string.Join(", ", exposed));
            }
            else
            {
                logger.AuthOffOnLoopback();
            }

            return;
        }

        if (!keys.HasBootstrapKey && await store.CountActiveAsync(CancellationToken.None) == 0)
        {
            logger.NoKeysYet(AuthOptions.MinBootstrapKeyLength);
        }
    }

    internal static bool IsLoopback(string address)
    {
        if (!Uri.TryCreate(address.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));
    }
}
