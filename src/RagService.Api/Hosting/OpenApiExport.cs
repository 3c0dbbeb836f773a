using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace RagService.Api.Hosting;

/// <summary>
/// `RagService.Api.dll --export-openapi PATH`: starts the service on a free loopback port over an empty temporary
/// database (Swagger on, no demo, no models), fetches /swagger/v1/swagger.json as a client would, writes it to PATH and
/// exits. The build runs it into docs/openapi.json (RagService.Api.csproj, target ExportOpenApi), so the document in
/// the repository is byte for byte what the service serves and API changes show up in diffs.
/// </summary>
internal static class OpenApiExport
{
    public const string Option = "--export-openapi";

    public static async Task<int> RunAsync(string path, string[] settings)
    {
        var folder = Directory.CreateTempSubdirectory("ragsvc-openapi-").FullName;
        var key = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
        try
        {
            await using var app = RagServiceApp.Build([.. settings,
                "--urls", "http://127.0.0.1:0", $"--Rag:DatabasePath={Path.Combine(folder, "rag.db")}", "--Rag:Swagger:Enabled=true",
                "--Rag:Demo=false", $"--Rag:Auth:BootstrapKey={key}", "--Serilog:MinimumLevel:Default=Warning"]);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Add(Security.ApiKeyAuthenticationHandler.HeaderName, key);
            var document = await client.GetStringAsync("/swagger/v1/swagger.json");
            await app.StopAsync();
            await File.WriteAllTextAsync(path, document.EndsWith('\n') ? document : document + "\n");
            Console.WriteLine($"OpenAPI document written to {Path.GetFullPath(path)}");
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
