using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using RagService.Core.Access;

namespace RagService.Api.Security;

/// <summary>
/// JWT bearer tokens (see <see cref="JwtOptions"/>): the JwtBearer handler validates signature, issuer, audience and
/// lifetime against the configured JWKS; this maps a valid token's claims to a caller. Tokens arrive as
/// "Authorization: Bearer" like API keys; <see cref="LooksLikeJwt"/> tells them apart (keys never contain '.').
/// </summary>
internal static class JwtCallers
{
    public const string SchemeName = "Jwt";

    public static bool LooksLikeJwt(string presented) => presented.Count(c => c == '.') == 2;

    public static void Register(AuthenticationBuilder authentication, JwtOptions options)
    {
        authentication.AddJwtBearer(SchemeName, o =>
        {
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = options.RequireHttpsJwks;
            o.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(options.JwksUrl!, new JwksRetriever(),
                new HttpDocumentRetriever { RequireHttps = options.RequireHttpsJwks });
            o.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = options.Issuer,
                ValidAudience = options.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                ClockSkew = options.ClockSkew,
            };
        });
    }

    /// <summary>The caller of a validated token: its subject, the configured role and collections, and the principals its claims map to.</summary>
    public static Caller ToCaller(ClaimsPrincipal token, JwtOptions options)
    {
        var subject = token.FindFirstValue("sub") ?? "unknown";
        var principals = options.PrincipalClaims
            .SelectMany(map => token.FindAll(map.Key).Select(c => $"{map.Value}:{c.Value}"))
            .Where(p => Principals.Problem(p) is null)
            .Take(Principals.MaxPerList)
            .ToList();
        return new Caller("jwt:" + subject, options.Issuer!, options.ParsedRole,
            options.Collections.Length == 0 ? null : options.Collections.ToHashSet(StringComparer.Ordinal), principals);
    }

    /// <summary>Reads a bare JSON Web Key Set (not an OpenID discovery document) as the configuration whose signing keys validate tokens.</summary>
    private sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
    {
        public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
        {
            var json = await retriever.GetDocumentAsync(address, cancel);
            var configuration = new OpenIdConnectConfiguration { JwksUri = address };
            foreach (var key in new JsonWebKeySet(json).GetSigningKeys())
            {
                configuration.SigningKeys.Add(key);
            }

            return configuration;
        }
    }
}
