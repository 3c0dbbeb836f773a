using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using RagService.Cli.Bench;
using RagService.Cli.Eval;
using RagService.Cli.Keys;
using RagService.Cli.Migrate;
using RagService.Cli.Sync;
using RagService.Core.Locking;

namespace RagService.Cli.CommandLine;

/// <summary>
/// The rag command tree on System.CommandLine: one command per verb, each with its own --help, tab completion through
/// the [suggest] directive (dotnet-suggest), and --version printing "rag VERSION". Exit codes: 2 for a parse or
/// validation error (the message names the option) and for a bad argument found while running (an
/// <see cref="ArgumentException"/>); 75 when a data folder is in use; otherwise what the command returns.
/// </summary>
internal static class RagCommandLine
{
    public const int ExitUsage = 2;

    public const int ExitDataFolderInUse = 75;

    public static RootCommand Create()
    {
        var root = new RootCommand($"rag {CliVersion.Current}: the RagService command line")
        {
            EvalArgs.CreateCommand(),
            SyncArgs.CreateCommand(),
            KeysCommand.CreateCommand(),
            SearchBenchCommand.CreateCommand(),
            Bm25BenchCommand.CreateCommand(),
            ScaleBenchCommand.CreateCommand(),
            EmbedBenchCommand.CreateCommand(),
            MigrateVectorsCommand.CreateCommand(),
            MigrateStoreCommand.CreateCommand(),
        };
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new PrintVersion();
        }

        var versionCommand = new Command("version", "print the version") { Hidden = true };
        versionCommand.SetAction(_ => PrintVersion.Print());
        root.Add(versionCommand);
        var helpCommand = new Command("help", "print this help") { Hidden = true };
        helpCommand.SetAction(parse => parse.RootCommandResult.Command.Parse(["--help"]).Invoke());
        root.Add(helpCommand);

        // No command at all is a usage error: the help, then exit 2.
        root.SetAction(parse =>
        {
            new HelpAction().Invoke(parse);
            return ExitUsage;
        });
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args)
    {
        // Response files (@file) are off: a value starting with '@' is taken as written, as before.
        var parse = Create().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Action is ParseErrorAction errors)
        {
            // The library's report (the error, and "did you mean" for a misspelling), all on stderr; exit 2, not its 1.
            errors.ShowHelp = false;
            await parse.InvokeAsync(new InvocationConfiguration { Output = Console.Error });
            await Console.Error.WriteLineAsync($"See '{CommandPath(parse)} --help'.");
            return ExitUsage;
        }

        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (DataFolderInUseException e)
        {
            await Console.Error.WriteLineAsync($"rag: {e.Message}");
            return ExitDataFolderInUse;
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"rag: {e.Message}\nSee '{CommandPath(parse)} --help'.");
            return ExitUsage;
        }
    }

    /// <summary>"rag keys create" for the command the arguments chose.</summary>
    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Insert(0, result.Parent is null ? "rag" : result.Command.Name);
        }

        return string.Join(' ', names);
    }

    /// <summary>"rag VERSION" (the library's own prints the full informational version, with the commit).</summary>
    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public static int Print()
        {
            Console.WriteLine($"rag {CliVersion.Current}");
            return 0;
        }

        public override int Invoke(ParseResult parseResult) => Print();
    }
}
