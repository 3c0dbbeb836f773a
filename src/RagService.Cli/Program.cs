using RagService.Cli.Bench;
using RagService.Cli.Eval;
using RagService.Cli.Keys;
using RagService.Cli.Migrate;
using RagService.Cli.Sync;
using RagService.Core.Locking;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("rag — RagService command line\n\n" + EvalArgs.Usage + "\n" + SyncArgs.Usage + "\n" + KeysCommand.Usage + "\n" + SearchBenchCommand.Usage + "\n" + Bm25BenchCommand.Usage + "\n" + MigrateVectorsCommand.Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    return args[0] switch
    {
        "eval" => await EvalCommand.RunAsync(EvalArgs.Parse(args[1..])),
        "sync" => await SyncCommand.RunAsync(SyncArgs.Parse(args[1..])),
        "keys" => await KeysCommand.RunAsync(args[1..]),
        "bench-search" => await SearchBenchCommand.RunAsync(args[1..]),
        "bench-bm25" => await Bm25BenchCommand.RunAsync(args[1..]),
        "migrate-vectors" => await MigrateVectorsCommand.RunAsync(args[1..]),
        _ => throw new ArgumentException($"unknown command '{args[0]}'; try 'rag --help'"),
    };
}
catch (DataFolderInUseException e)
{
    Console.Error.WriteLine($"rag: {e.Message}");
    return 75;
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"rag: {e.Message}\n\n{args[0] switch { "sync" => SyncArgs.Usage, "keys" => KeysCommand.Usage, "bench-search" => SearchBenchCommand.Usage, "bench-bm25" => Bm25BenchCommand.Usage, "migrate-vectors" => MigrateVectorsCommand.Usage, _ => EvalArgs.Usage }}");
    return 2;
}
