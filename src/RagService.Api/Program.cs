using RagService.Api.Hosting;
using RagService.Core.Locking;

if (args is [OpenApiExport.Option, var openApiPath, .. var settings])
{
    return await OpenApiExport.RunAsync(openApiPath, settings);
}

WebApplication app;
try
{
    app = RagServiceApp.Build(args);
}
catch (DataFolderInUseException)
{
    // Already logged by RagServiceApp with the folder, the lock file and the holder.
    return DataFolderOwnership.InUseExitCode;
}

await app.RunAsync();
return 0;
