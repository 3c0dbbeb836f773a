using System.Security.Claims;
using RagService.Core.Security;

namespace RagService.Api.Security;

/// <summary>Who is calling: the key's public id (never the key), its client, role and collection scope (null = all).</summary>
internal sealed record Caller(string KeyId, string Client, ApiRole Role, IReadOnlySet<string>? Collections)
{
    private const string ClientClaim = "rag:client";
    private const string CollectionClaim = "rag:collection";
    private const string ScopedClaim = "rag:scoped";

    public bool IsGlobal => Collections is null;

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
        return new Caller(id, user.FindFirstValue(ClientClaim) ?? id, Enum.Parse<ApiRole>(user.FindFirstValue(ClaimTypes.Role)!), collections);
    }
}
