using RagService.Extraction.Isolation;

if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: RagService.Extraction.Worker <options.json>  (started by the service; requests on stdin, answers on stdout)");
    return 2;
}

return await WorkerLoop.RunAsync(args[0]);
