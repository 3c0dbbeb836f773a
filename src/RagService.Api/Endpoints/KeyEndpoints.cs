using RagService.Api.Errors;
using RagService.Api.Hosting;
using RagService.Api.Requests;
using RagService.Api.Security;
using RagService.Core.Access;
using RagService.Core.Security;

namespace RagService.Api.Endpoints;

/// <summary>Admin routes for API keys. The secret is returned once, at creation; only its SHA-256 is stored.</summary>
internal sealed class KeyEndpoints : IEndpointModule
{
    /// <param name="Principals">The key's own principals ("group:hr", "user:alice@corp.example"): the documents it reads. Admin keys read everything.</param>
    /// <param name="DelegateWithin">Delegate permission: patterns ('*' = any text) of the end-user principals the key may name in X-Rag-On-Behalf-Of.</param>
    public sealed record CreateKeyRequest(string? Client, string? Role, List<string>? Collections, List<string>? Principals = null, List<string>? DelegateWithin = null);

    public sealed record KeyResponse(
        string Id, string Client, string Role, IReadOnlyList<string>? Collections, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt,
        DateTimeOffset? RevokedAt, bool Active, IReadOnlyList<string>? Principals = null, IReadOnlyList<string>? DelegateWithin = null);

    /// <param name="Key">The secret: send it as X-Api-Key. It cannot be shown again.</param>
    public sealed record CreatedKeyResponse(string Id, string Key, string Client, string Role, IReadOnlyList<string>? Collections, DateTimeOffset CreatedAt,
        IReadOnlyList<string>? Principals = null, IReadOnlyList<string>? DelegateWithin = null);

    private const int MaxClientLength = 100;
    private const int MaxCollections = 100;

    public void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/v1/keys").WithTags("Keys").RequireRole(ApiRole.Admin, allCollections: true);

        group.MapPost("/", async (CreateKeyRequest body, ApiKeyService keys, CancellationToken ct) =>
        {
            var client = body.Client?.Trim();
            if (string.IsNullOrEmpty(client) || client.Length > MaxClientLength || client.Any(char.IsControl))
            {
                throw ApiProblemException.BadRequest($"'client' is required: who the key is for, 1-{MaxClientLength} characters without control characters");
            }

            var role = body.Role?.Trim().ToLowerInvariant() switch
            {
                "reader" => ApiRole.Reader,
                "writer" => ApiRole.Writer,
                "admin" => ApiRole.Admin,
                _ => throw ApiProblemException.BadRequest("'role' must be \"reader\", \"writer\" or \"admin\""),
            };
            if (body.Collections is { } list && (list.Count == 0 || list.Count > MaxCollections))
            {
                throw ApiProblemException.BadRequest($"'collections' must list 1-{MaxCollections} collections; leave it out for a key to every collection");
            }

            var collections = body.Collections?.Select(RequestMappingName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var principals = RequestMapping.Access(body.Principals, "principals");
            var delegateWithin = DelegationPatterns(body.DelegateWithin);
            try
            {
                var (record, key) = await keys.CreateAsync(client, role, collections, principals, delegateWithin, ct);
                return Results.Created($"/v1/keys/{record.Id}",
                    new CreatedKeyResponse(record.Id, key, record.Client, RagAccessRequirement.Name(record.Role), record.Collections, record.CreatedAt,
                        record.Principals, record.DelegateWithin));
            }
            catch (TooManyActiveKeysException e)
            {
                throw new ApiProblemException(StatusCodes.Status409Conflict, "Too many active keys", e.Message);
            }
        }).WithSummary("Create an API key; the response holds the secret, shown this once");

        group.MapGet("/", async (IApiKeyStore store, CancellationToken ct) => (await store.ListAsync(ct)).Select(ToResponse))
            .WithSummary("Every key with its client, role, scope, creation, last use and revocation (never the secret)");

        group.MapDelete("/{id}", async (string id, ApiKeyService keys, CancellationToken ct) =>
        {
            if (id == ApiKeyService.BootstrapId)
            {
                throw ApiProblemException.BadRequest("the bootstrap key comes from configuration: remove Rag:Auth:BootstrapKey (or its file) and restart");
            }

            return await keys.RevokeAsync(id, ct)
                ? Results.NoContent()
                : throw ApiProblemException.NotFound($"no active key with id '{id}'");
        }).WithSummary("Revoke a key; requests with it get 401 from then on");
    }

    private static string RequestMappingName(string? name)
    {
        try
        {
            return RequestMapping.ValidCollectionName(name);
        }
        catch (ApiProblemException)
        {
            throw ApiProblemException.BadRequest($"'collections' holds '{name}', which is not a collection name (lower-case letters, digits, '-' or '_')");
        }
    }

    private static List<string>? DelegationPatterns(List<string>? patterns)
    {
        if (patterns is null)
        {
            return null;
        }

        if (patterns.Count == 0 || patterns.Count > Principals.MaxPerList)
        {
            throw ApiProblemException.BadRequest($"'delegateWithin' must list 1-{Principals.MaxPerList} patterns; leave it out for a key that cannot delegate");
        }

        foreach (var pattern in patterns)
        {
            if (Delegation.PatternProblem(pattern) is { } problem)
            {
                throw ApiProblemException.BadRequest($"'delegateWithin': {problem}");
            }
        }

        return patterns.Distinct(StringComparer.Ordinal).ToList();
    }

    private static KeyResponse ToResponse(ApiKeyRecord k) =>
        new(k.Id, k.Client, RagAccessRequirement.Name(k.Role), k.Collections, k.CreatedAt, k.LastUsedAt, k.RevokedAt, k.IsActive, k.Principals, k.DelegateWithin);
}
