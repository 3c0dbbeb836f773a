using RagService.Core.Access;
using System.ComponentModel;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace RagService.Api.Mcp;

/// <summary>
/// Documents as MCP resources, <c>rag://{collection}/documents/{id}</c>: resources/list lists the documents of the
/// collections the key can read (at most Rag:Mcp:MaxListedDocuments), a read returns the document's text (its chunks
/// in reading order, cut to Rag:Mcp:MaxDocumentChars).
/// </summary>
[McpServerResourceType]
internal static class RagMcpResources
{
    [McpServerResource(UriTemplate = RagDocumentUri.Template, Name = "document", MimeType = "text/plain")]
    [Description("A document of a knowledge-base collection: its text, its chunks in reading order.")]
    public static async Task<TextResourceContents> ReadDocumentAsync(RequestContext<ReadResourceRequestParams> context,
        Core.Storage.IKnowledgeStore store, IOptions<McpOptions> options, string collection, string id, CancellationToken ct)
    {
        var info = await McpAccess.CollectionAsync(context.User, collection, store, ct);
        var documentId = Uri.UnescapeDataString(id);
        var doc = await store.GetDocumentAsync(info, documentId, ct) is { } found
            && McpAccess.Caller(context.User).Access.MayRead(found, info)
            ? found
            : throw new McpException($"document '{Errors.InputEcho.Of(documentId)}' does not exist in '{info.Name}'");
        var (text, _) = await DocumentText.ReadAsync(store, info, doc, options.Value.MaxDocumentChars, ct);
        return new TextResourceContents { Uri = RagDocumentUri.Of(info.Name, doc.Id), MimeType = "text/plain", Text = text };
    }

    public static async ValueTask<ListResourcesResult> ListAsync(RequestContext<ListResourcesRequestParams> context, CancellationToken ct)
    {
        var store = context.Services!.GetRequiredService<Core.Storage.IKnowledgeStore>();
        var max = context.Services!.GetRequiredService<IOptions<McpOptions>>().Value.MaxListedDocuments;
        var caller = McpAccess.Caller(context.User);
        var resources = new List<Resource>();
        foreach (var collection in (await store.ListCollectionsAsync(ct)).Where(c => caller.CanAccess(c.Name)))
        {
            foreach (var doc in await store.ListDocumentsAsync(collection, 0, max - resources.Count, caller.Access, ct))
            {
                resources.Add(new Resource
                {
                    Uri = RagDocumentUri.Of(collection.Name, doc.Id), Name = doc.Title ?? doc.Id, MimeType = "text/plain",
                    Description = $"document '{doc.Id}' of collection '{collection.Name}' ({doc.ChunkCount} chunks, updated {doc.UpdatedAt:yyyy-MM-dd})",
                });
            }

            if (resources.Count >= max)
            {
                break;
            }
        }

        return new ListResourcesResult { Resources = resources };
    }
}
