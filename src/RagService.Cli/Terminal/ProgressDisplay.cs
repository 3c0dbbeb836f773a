using Spectre.Console;

namespace RagService.Cli.Terminal;

/// <summary>One report of a long job: its stage and how many of its items are done.</summary>
internal readonly record struct ProgressStep(string Stage, int Done, int Total);

/// <summary>
/// Progress of a long job on stderr. On a terminal (<see cref="TerminalOutput.IsInteractive"/>): a Spectre.Console
/// bar with the count, percentage and estimated time left. Otherwise, or when the caller asks for plain output
/// (--json): "LABEL: STAGE DONE/TOTAL (P%)" lines, one on each change of stage or tenth.
/// </summary>
internal static class ProgressDisplay
{
    public static async Task<T> RunAsync<T>(string label, Func<IProgress<ProgressStep>, Task<T>> work, bool plain = false)
    {
        if (plain || !TerminalOutput.IsInteractive)
        {
            return await work(new PlainLines(label, Console.Error));
        }

        var result = default(T)!;
        await TerminalOutput.Error.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context => result = await work(new LiveBar(label, context.AddTask(Markup.Escape(label), maxValue: 1))));
        return result;
    }

    private sealed class LiveBar(string label, ProgressTask task) : IProgress<ProgressStep>
    {
        public void Report(ProgressStep step)
        {
            task.Description = Markup.Escape($"{label}: {step.Stage} {step.Done}/{step.Total}");
            task.MaxValue = Math.Max(step.Total, 1);
            task.Value = step.Total == 0 ? 1 : step.Done;
        }
    }

    // Kept by hand: Spectre's non-interactive fallback prints percentages only; CI logs (and tests) read the counts.
    private sealed class PlainLines(string label, TextWriter output) : IProgress<ProgressStep>
    {
        private string? _lastStage;
        private int _lastTenth = -1;

        public void Report(ProgressStep step)
        {
            var fraction = step.Total == 0 ? 1.0 : Math.Clamp((double)step.Done / step.Total, 0, 1);
            var tenth = (int)(fraction * 10);
            if (step.Stage != _lastStage || tenth != _lastTenth)
            {
                output.WriteLine($"{label}: {step.Stage} {step.Done}/{step.Total} ({fraction:P0})");
                _lastStage = step.Stage;
                _lastTenth = tenth;
            }
        }
    }
}
