using System.Text.Json.Nodes;

namespace RagService.Api.Tests.Docs;

/// <summary>docs/openapi.json, which client generators and reviewers read, is the document the running service serves.</summary>
public sealed class OpenApiDocumentTests
{
    [Fact]
    public async Task The_committed_openapi_document_is_what_the_service_serves()
    {
        await using var host = await ServiceHost.StartAsync();
        var served = JsonNode.Parse(await host.Client.GetStringAsync("/swagger/v1/swagger.json"));
        var path = Path.Combine(ReadmeCommandBlocks.RepositoryRoot(), "docs", "openapi.json");
        Assert.True(File.Exists(path), $"{path} is missing: build src/RagService.Api (it writes the file) and commit it");

        var committed = JsonNode.Parse(await File.ReadAllTextAsync(path));

        Assert.True(JsonNode.DeepEquals(served, committed),
            "docs/openapi.json differs from /swagger/v1/swagger.json: regenerate it with " +
            "'dotnet build src/RagService.Api -c Release' (or dotnet src/RagService.Api/bin/Release/net10.0/RagService.Api.dll --export-openapi docs/openapi.json) " +
            "and commit the diff");
    }
}
