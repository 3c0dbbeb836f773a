using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// Reads the key from X-Api-Key or "Authorization: Bearer". No key: no identity (routes that need one answer 401).
/// A wrong or revoked key: a failure whose reason becomes the 401's detail. Mode=none: every caller is a global admin.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemes, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyService keys, IOptions<AuthOptions> auth)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    /// <summary>HttpContext.Items key under which the reason of a refused key waits for the 401 response.</summary>
    public const string RefusalItem = "rag.auth.refusal";

    /// <summary>The key id of every caller when Rag:Auth:Mode=none.</summary>
    public const string NoKeyId = "none";

    private static readonly Caller Unauthenticated = new(NoKeyId, "none (Rag:Auth:Mode=none)", ApiRole.Admin, null);

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

        var check = await keys.CheckAsync(presented, Context.RequestAborted);
        if (check.Caller is null)
        {
            Context.Items[RefusalItem] = check.Refusal;
            return AuthenticateResult.Fail(check.Refusal!);
        }

        return Success(check.Caller);
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
