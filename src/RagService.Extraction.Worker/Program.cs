using RagService.Extraction.Isolation;

if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != WorkerLoop.WarmUpArgument))
{
    await Console.Error.WriteLineAsync($"usage: RagService.Extraction.Worker <options.json> [{WorkerLoop.WarmUpArgument}]  (started by the service; requests on stdin, answers on stdout)");
    return 2;
}

return WorkerLoop.Run(args[0], warmUp: args.Length == 2);
