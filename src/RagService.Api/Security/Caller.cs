using System.Security.Claims;
using RagService.Core.Access;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>
/// Who is calling: the key's public id (never the key), its client, role and collection scope (null = all), and the
/// principals whose documents it may read (null = every document: admins).
/// </summary>
internal sealed record Caller(string KeyId, string Client, ApiRole Role, IReadOnlySet<string>? Collections, IReadOnlyList<string>? Principals)
{
    private const string ClientClaim = "rag:client";
    private const string CollectionClaim = "rag:collection";
    private const string ScopedClaim = "rag:scoped";
    private const string PrincipalClaim = "rag:principal";
    private const string RestrictedClaim = "rag:restricted";

    public bool IsGlobal => Collections is null;

    /// <summary>The key's delegation patterns while its request is authenticated (see <see cref="Delegation"/>); not carried in claims.</summary>
    public IReadOnlyList<string>? DelegateWithin { get; init; }

    /// <summary>The documents this caller may read, as every search filter and document route applies it; null: all.</summary>
    public AccessScope? Access => Principals is null ? null : new AccessScope(Principals);

    /// <summary>A key's principals as its caller holds them: admins read everything, other keys what their principals (maybe none) may.</summary>
    public static IReadOnlyList<string>? PrincipalsOf(ApiRole role, IReadOnlyList<string>? keyPrincipals) => role == ApiRole.Admin ? null : keyPrincipals ?? [];

    public bool CanAccess(string collection) => Collections is null || Collections.Contains(collection);

    public ClaimsPrincipal ToPrincipal(string scheme)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, KeyId),
            new(ClientClaim, Client),
            new(ClaimTypes.Role, Role.ToString()),
        };
        if (Collections is not null)
        {
            claims.Add(new Claim(ScopedClaim, "true"));
            claims.AddRange(Collections.Select(c => new Claim(CollectionClaim, c)));
        }

        if (Principals is not null)
        {
            claims.Add(new Claim(RestrictedClaim, "true"));
            claims.AddRange(Principals.Select(p => new Claim(PrincipalClaim, p)));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    /// <summary>The caller of an authenticated request; null when the request carried no valid key.</summary>
    public static Caller? From(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } id)
        {
            return null;
        }

        var collections = user.HasClaim(c => c.Type == ScopedClaim)
            ? user.FindAll(CollectionClaim).Select(c => c.Value).ToHashSet(StringComparer.Ordinal)
            : null;
        var principals = user.HasClaim(c => c.Type == RestrictedClaim) ? user.FindAll(PrincipalClaim).Select(c => c.Value).ToList() : null;
        return new Caller(id, user.FindFirstValue(ClientClaim) ?? id, Enum.Parse<ApiRole>(user.FindFirstValue(ClaimTypes.Role)!), collections, principals);
    }
}
