using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace RagService.Api.Tests.Access;

/// <summary>
/// A token issuer made in the test: an RSA key whose public half is served as a JSON Web Key Set over real HTTP at a
/// loopback port, and tokens signed with it (or with a key the set does not hold, to be refused).
/// </summary>
public sealed class LocalIssuer : IAsyncDisposable
{
    public const string Issuer = "https://issuer.test.example";
    public const string Audience = "rag-service";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key;
    private readonly RsaSecurityKey _stranger = new(RSA.Create(2048)) { KeyId = "stranger" };

    private LocalIssuer(WebApplication app, RsaSecurityKey key, string jwksUrl)
    {
        _app = app;
        _key = key;
        JwksUrl = jwksUrl;
    }

    public string JwksUrl { get; }

    /// <summary>How many times the service fetched the key set.</summary>
    public int JwksRequests { get; private set; }

    public static async Task<LocalIssuer> StartAsync()
    {
        var key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key-1" };
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        LocalIssuer? issuer = null;
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
        var set = System.Text.Json.JsonSerializer.Serialize(new
        {
            keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } },
        });
        app.MapGet("/jwks", () =>
        {
            issuer!.JwksRequests++;
            return Results.Text(set, "application/json");
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        issuer = new LocalIssuer(app, key, address + "/jwks");
        return issuer;
    }

    /// <summary>Service arguments that accept this issuer's tokens, mapping "email" to user and "groups" to group principals.</summary>
    public string[] ServiceArguments() =>
    [
        $"--Rag:Auth:Jwt:Issuer={Issuer}", $"--Rag:Auth:Jwt:Audience={Audience}", $"--Rag:Auth:Jwt:JwksUrl={JwksUrl}",
        "--Rag:Auth:Jwt:RequireHttpsJwks=false", "--Rag:Auth:Jwt:PrincipalClaims:email=user", "--Rag:Auth:Jwt:PrincipalClaims:groups=group",
    ];

    public string Token(string email, string[] groups, string issuer = Issuer, string audience = Audience, DateTime? expires = null, bool strangerKey = false)
    {
        var claims = new Dictionary<string, object> { ["sub"] = email, ["email"] = email, ["groups"] = groups };
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            NotBefore = (expires ?? DateTime.UtcNow.AddHours(1)).AddHours(-2),
            Expires = expires ?? DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(strangerKey ? _stranger : _key, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
