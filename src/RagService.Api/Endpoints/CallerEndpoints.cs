using RagService.Api.Hosting;
using RagService.Api.Security;
using RagService.Core.Security;

namespace RagService.Api.Endpoints;

/// <summary>Who the presented key belongs to, so a client (the web console) can offer only what the key may do.</summary>
internal sealed class CallerEndpoints : IEndpointModule
{
    /// <param name="Collections">The collections the key is scoped to; null for every collection.</param>
    public sealed record CallerResponse(string Client, string Role, IReadOnlyList<string>? Collections);

    public void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/v1/whoami", (HttpContext http) => Caller.From(http.User) is { } caller
                ? new CallerResponse(caller.Client, RagAccessRequirement.Name(caller.Role), caller.Collections?.Order(StringComparer.Ordinal).ToList())
                : new CallerResponse("anonymous", RagAccessRequirement.Name(ApiRole.Admin), null))
            .WithTags("Keys").RequireRole(ApiRole.Reader).WithSummary("The calling key's client, role and collection scope (never the key)");
}
