using RagService.Cli.CommandLine;

return await RagCommandLine.InvokeAsync(args);
