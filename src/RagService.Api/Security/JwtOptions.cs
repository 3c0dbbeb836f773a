using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// The "Rag:Auth:Jwt" section: OIDC / JWT bearer tokens a front end passes on for its signed-in user. A token is
/// accepted when it is signed by a key of <see cref="JwksUrl"/>, issued by <see cref="Issuer"/> for
/// <see cref="Audience"/> and not expired; its caller then reads what the principals <see cref="PrincipalClaims"/>
/// makes of its claims may read, with <see cref="Role"/> on <see cref="Collections"/>. Off unless Issuer is set.
/// </summary>
public sealed class JwtOptions
{
    public const string Section = "Rag:Auth:Jwt";

    public string? Issuer { get; set; }

    public string? Audience { get; set; }

    /// <summary>Where the issuer publishes its signing keys (a JSON Web Key Set); fetched again as keys rotate.</summary>
    public string? JwksUrl { get; set; }

    /// <summary>Refuse a JWKS URL that is not https (set false only for a local issuer in development or tests).</summary>
    public bool RequireHttpsJwks { get; set; } = true;

    /// <summary>Claim type → principal kind: each value of the claim becomes "kind:value" (e.g. "email" → "user", "groups" → "group").</summary>
    public Dictionary<string, string> PrincipalClaims { get; set; } = new() { ["email"] = "user" };

    /// <summary>What token callers may do: "reader" (default) or "writer"; tokens never get admin.</summary>
    public string Role { get; set; } = "reader";

    /// <summary>The collections token callers may use; empty: every collection.</summary>
    public string[] Collections { get; set; } = [];

    /// <summary>Leeway for the token's expiry and not-before times (clocks of issuer and service differ).</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);

    public bool Enabled => !string.IsNullOrWhiteSpace(Issuer);

    public ApiRole ParsedRole => Role.Trim().ToLowerInvariant() switch
    {
        "reader" => ApiRole.Reader,
        "writer" => ApiRole.Writer,
        _ => throw new InvalidOperationException($"{Section}:Role must be \"reader\" or \"writer\", not \"{Role}\""),
    };

    /// <summary>Throws with the key to fix when the section is set but incomplete.</summary>
    public void Validate()
    {
        if (!Enabled)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(Audience))
        {
            throw new InvalidOperationException($"{Section}:Audience is required with {Section}:Issuer: the audience tokens must be issued for");
        }

        if (!Uri.TryCreate(JwksUrl, UriKind.Absolute, out var jwks) || (RequireHttpsJwks && jwks.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{Section}:JwksUrl must be an absolute {(RequireHttpsJwks ? "https " : "")}URL of the issuer's JSON Web Key Set");
        }

        if (PrincipalClaims.Count == 0 || PrincipalClaims.Values.Any(kind => string.IsNullOrEmpty(kind) || !kind.All(char.IsAsciiLetterLower)))
        {
            throw new InvalidOperationException($"{Section}:PrincipalClaims must map at least one claim to a principal kind in lower-case letters (e.g. \"groups\": \"group\")");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(10))
        {
            throw new InvalidOperationException($"{Section}:ClockSkew must be between 0 and 10 minutes");
        }

        _ = ParsedRole;
    }
}
