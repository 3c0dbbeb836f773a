namespace RagService.Api.Hosting;

/// <summary>A group of routes, mapped by its own method of <see cref="EndpointRoutes"/>.</summary>
internal interface IEndpointModule
{
    void Map(IEndpointRouteBuilder app);
}
