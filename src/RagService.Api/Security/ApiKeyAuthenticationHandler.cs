using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// Reads the key from X-Api-Key or "Authorization: Bearer". No key: no identity (routes that need one answer 401).
/// A wrong or revoked key: a failure whose reason becomes the 401's detail. Mode=none: every caller is a global admin.
/// A bearer JWT (when Rag:Auth:Jwt is set) goes to the JwtBearer scheme instead; a delegation header is applied last (<see cref="Delegation"/>).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyService keys, IOptions<AuthOptions> auth, IOptions<JwtOptions> jwt)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>HttpContext.Items key under which the reason of a refused key waits for the 401 response.</summary>
    public const string RefusalItem = "rag.auth.refusal";

    /// <summary>The key id of every caller when Rag:Auth:Mode=none.</summary>
    public const string NoKeyId = "none";

    private static readonly Caller Unauthenticated = new(NoKeyId, "none (Rag:Auth:Mode=none)", ApiRole.Admin, null, null);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!auth.Value.KeysRequired)
        {
            return Success(Unauthenticated);
        }

        var presented = PresentedKey(Request);
        if (presented is null)
        {
            return AuthenticateResult.NoResult();
        }

        var check = jwt.Value.Enabled && JwtCallers.LooksLikeJwt(presented)
            ? await CheckTokenAsync()
            : await keys.CheckAsync(presented, Context.RequestAborted);
        if (check.Caller is null)
        {
            Context.Items[RefusalItem] = check.Refusal;
            return AuthenticateResult.Fail(check.Refusal!);
        }

        var (caller, status, refusal) = Delegation.Apply(check.Caller, DelegationHeader(Request));
        if (caller is null)
        {
            Context.Items[RefusalItem] = refusal;
            Context.Items[DelegationRefusalStatusItem] = status;
            return AuthenticateResult.Fail(refusal!);
        }

        return Success(caller);
    }

    /// <summary>HttpContext.Items key under which a refused delegation's status (400 or 403) waits for the response.</summary>
    public const string DelegationRefusalStatusItem = "rag.auth.delegation-status";

    private static string? DelegationHeader(HttpRequest request) =>
        request.Headers[Delegation.HeaderName] is { Count: > 0 } values ? string.Join(',', values.ToArray()) : null;

    /// <summary>A bearer JWT, validated by the JwtBearer scheme (signature, issuer, audience, lifetime), as a caller.</summary>
    private async Task<KeyCheck> CheckTokenAsync()
    {
        var result = await Context.AuthenticateAsync(JwtCallers.SchemeName);
        return result.Succeeded
            ? new KeyCheck(JwtCallers.ToCaller(result.Principal, jwt.Value), null)
            : new KeyCheck(null, $"the bearer token is not valid: {result.Failure?.Message ?? "no token"}");
    }

    private AuthenticateResult Success(Caller caller) =>
        AuthenticateResult.Success(new AuthenticationTicket(caller.ToPrincipal(SchemeName), SchemeName));

    private static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers[HeaderName] is { Count: > 0 } header && !string.IsNullOrWhiteSpace(header[0]))
        {
            return header[0]!.Trim();
        }

        var authorization = request.Headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && authorization.Length > 7
            ? authorization[7..].Trim()
            : null;
    }
}
