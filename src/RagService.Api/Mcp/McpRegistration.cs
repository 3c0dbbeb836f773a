using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Security;

namespace RagService.Api.Mcp;

/// <summary>The MCP server (streamable HTTP, stateless): tools and document resources under the caller's API key.</summary>
public static class McpRegistration
{
    public const string Path = "/mcp";

    public static IServiceCollection AddRagMcpServer(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(McpOptions.Section).Get<McpOptions>() ?? new McpOptions();
        options.Validate();
        services.AddSingleton(Options.Create(options));
        services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "RagService", Version = typeof(McpRegistration).Assembly.GetName().Version?.ToString() ?? "1.0" };
                o.ServerInstructions = "RagService answers questions from knowledge bases (collections) with cited sources. Call list_collections first, " +
                    "then search to find passages or ask for a cited answer; get_document and get_chunks read a cited document. " +
                    "[n] in an answer refers to source n of the same result.";
            })
            .WithHttpTransport(t => t.Stateless = true)
            .WithTools([typeof(RagMcpTools)])
            .WithResources([typeof(RagMcpResources)])
            .WithListResourcesHandler(RagMcpResources.ListAsync)
            .WithRequestFilters(filters =>
            {
                // Tools are listed according to the key's role, and a tool the role may not use is refused even when called by name.
                filters.AddListToolsFilter(next => async (context, ct) =>
                {
                    var result = await next(context, ct);
                    result.Tools = result.Tools.Where(t => McpAccess.MayUse(context.User, t.Name)).ToList();
                    return result;
                });
                filters.AddCallToolFilter(next => async (context, ct) =>
                {
                    var name = context.Params?.Name ?? "";
                    if (McpAccess.WriterTools.Contains(name) && !McpAccess.MayUse(context.User, name))
                    {
                        var caller = Caller.From(context.User!);
                        return new CallToolResult
                        {
                            IsError = true,
                            Content = [new TextContentBlock { Text = $"'{name}' needs a {RagAccessRequirement.Name(McpAccess.RoleFor(name))} key; the key {caller?.KeyId} has role {RagAccessRequirement.Name(caller?.Role ?? ApiRole.Reader)}" }],
                        };
                    }

                    return await next(context, ct);
                });
            });
        return services;
    }
}

/// <summary>Maps the MCP endpoint at <see cref="McpRegistration.Path"/>, for reader keys (the tools check write roles and scopes).</summary>
internal sealed class McpEndpoints : IEndpointModule
{
    public void Map(IEndpointRouteBuilder app) => app.MapRagMcpApi();
}

internal static class McpApi
{
    public static IEndpointConventionBuilder MapRagMcpApi(this IEndpointRouteBuilder app) =>
        app.MapMcp(McpRegistration.Path).WithTags("MCP").RequireRole(ApiRole.Reader);
}
