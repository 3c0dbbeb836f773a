using RagService.Cli.Eval;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine("rag — RagService command line\n\n" + EvalArgs.Usage);
    return args.Length == 0 ? 2 : 0;
}

try
{
    return args[0] switch
    {
        "eval" => await EvalCommand.RunAsync(EvalArgs.Parse(args[1..])),
        _ => throw new ArgumentException($"unknown command '{args[0]}'; try 'rag --help'"),
    };
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"rag: {e.Message}\n\n{EvalArgs.Usage}");
    return 2;
}
