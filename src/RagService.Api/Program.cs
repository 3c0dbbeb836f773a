using RagService.Api.Hosting;

var app = RagServiceApp.Build(args);
await app.RunAsync();
