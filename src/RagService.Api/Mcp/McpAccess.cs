using System.Security.Claims;
using ModelContextProtocol;
using RagService.Api.Errors;
using RagService.Api.Security;
using RagService.Core.Documents;
using RagService.Api.Ingestion;
using RagService.Core.Retrieval;
using RagService.Core.Security;
using RagService.Core.Storage;

namespace RagService.Api.Mcp;

/// <summary>
/// The same keys, roles and scopes as the REST routes, for MCP calls: which role each tool needs (reader unless listed in
/// <see cref="WriterTools"/>), and whether the calling key may use a collection. A collection outside the key's scope is
/// "not found" for it, like one that does not exist. Refusals are <see cref="McpException"/>s: the client gets a tool
/// error whose text says what to fix.
/// </summary>
internal static class McpAccess
{
    public static readonly IReadOnlySet<string> WriterTools = new HashSet<string>(StringComparer.Ordinal) { RagMcpTools.AddDocument, RagMcpTools.DeleteDocument };

    public static ApiRole RoleFor(string tool) => WriterTools.Contains(tool) ? ApiRole.Writer : ApiRole.Reader;

    public static bool MayUse(ClaimsPrincipal? user, string tool) => Caller(user) is { } caller && caller.Role >= RoleFor(tool);

    public static Caller Caller(ClaimsPrincipal? user) =>
        user is null ? throw new McpException("no API key: send one as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'") : Security.Caller.From(user)
            ?? throw new McpException("no API key: send one as 'Authorization: Bearer KEY' or 'X-Api-Key: KEY'");

    /// <summary>The collection, when it exists and is in the caller's scope (the tool's role is checked by the call filter).</summary>
    public static async Task<CollectionInfo> CollectionAsync(ClaimsPrincipal? user, string? name, IKnowledgeStore store, CancellationToken ct)
    {
        var caller = Caller(user);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new McpException("'collection' is required: call list_collections for the ones this key can read");
        }

        return (caller.CanAccess(name) ? await store.GetCollectionAsync(name, ct) : null)
            ?? throw new McpException($"collection '{InputEcho.Of(name)}' does not exist or this key cannot read it: call list_collections for the ones it can");
    }

    /// <summary>Runs a tool's work, turning the service's own refusals (bad arguments, limits, storage) into tool errors.</summary>
    public static async Task<T> GuardAsync<T>(Func<Task<T>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception e) when (e is ApiProblemException or DocumentRejectedException or ExtractionException or StageUnavailableException
                                       or StorageUnavailableException or CollectionGoneException)
        {
            throw new McpException(e.Message, e);
        }
    }
}
