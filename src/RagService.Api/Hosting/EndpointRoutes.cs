using RagService.Api.Endpoints;
using RagService.Api.Mcp;
using RagService.Api.OpenAi;

namespace RagService.Api.Hosting;

/// <summary>One method per route group, so the route table reads in <see cref="RagServiceApp"/> (and greps from a path to its group).</summary>
internal static class EndpointRoutes
{
    /// <summary>GET /v1/whoami.</summary>
    public static IEndpointRouteBuilder MapCallerApi(this IEndpointRouteBuilder app) => Map<CallerEndpoints>(app);

    /// <summary>/v1/collections/{name}/chunks.</summary>
    public static IEndpointRouteBuilder MapChunksApi(this IEndpointRouteBuilder app) => Map<ChunkEndpoints>(app);

    /// <summary>/v1/collections.</summary>
    public static IEndpointRouteBuilder MapCollectionsApi(this IEndpointRouteBuilder app) => Map<CollectionEndpoints>(app);

    /// <summary>/v1/collections/{name}/documents.</summary>
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app) => Map<DocumentEndpoints>(app);

    /// <summary>/health/live and /health/ready.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app) => Map<HealthEndpoints>(app);

    /// <summary>/v1/jobs.</summary>
    public static IEndpointRouteBuilder MapJobsApi(this IEndpointRouteBuilder app) => Map<JobEndpoints>(app);

    /// <summary>/v1/keys.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app) => Map<KeyEndpoints>(app);

    /// <summary>/v1/collections/{name}/search and /ask.</summary>
    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app) => Map<SearchEndpoints>(app);

    /// <summary>/v1/collections/{name}/sync.</summary>
    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder app) => Map<SyncEndpoints>(app);

    /// <summary>The MCP server (streamable HTTP), when Rag:Mcp enables it.</summary>
    public static IEndpointRouteBuilder MapMcpApi(this IEndpointRouteBuilder app) => Map<McpEndpoints>(app);

    /// <summary>The OpenAI-compatible /v1/chat/completions and /v1/models.</summary>
    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app) => Map<OpenAiEndpoints>(app);

    private static IEndpointRouteBuilder Map<TGroup>(IEndpointRouteBuilder app)
        where TGroup : IEndpointModule, new()
    {
        new TGroup().Map(app);
        return app;
    }
}
