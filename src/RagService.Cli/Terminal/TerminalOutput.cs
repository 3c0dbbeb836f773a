using Spectre.Console;

namespace RagService.Cli.Terminal;

/// <summary>
/// Where rag's output goes. Live progress and tables only when both stdout and stderr are a terminal; when either is
/// redirected (CI logs, pipes, files) the commands print plain lines, so logs and scripts read the same as ever.
/// </summary>
internal static class TerminalOutput
{
    public static bool IsInteractive => !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    /// <summary>Spectre.Console on stdout (tables).</summary>
    public static IAnsiConsole Out => AnsiConsole.Console;

    /// <summary>Spectre.Console on stderr (progress), so stdout stays the command's result.</summary>
    public static IAnsiConsole Error { get; } = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}
