namespace RagService.Cli.Sync;

/// <summary>Job progress on stderr: a bar redrawn in place on a terminal, plain lines (on change of stage or every 10%) otherwise.</summary>
internal sealed class ProgressBar
{
    private const int Width = 30;
    private readonly bool _interactive = !Console.IsErrorRedirected;
    private string? _lastStage;
    private int _lastDecile = -1;

    public void Report(string stage, int done, int total)
    {
        var fraction = total == 0 ? 1.0 : Math.Clamp((double)done / total, 0, 1);
        if (_interactive)
        {
            var filled = (int)Math.Round(fraction * Width);
            Console.Error.Write($"\r[{new string('#', filled)}{new string('-', Width - filled)}] {fraction,4:P0} {done}/{total} {stage,-10}");
            return;
        }

        var decile = (int)(fraction * 10);
        if (stage != _lastStage || decile != _lastDecile)
        {
            Console.Error.WriteLine($"sync: {stage} {done}/{total} ({fraction:P0})");
            _lastStage = stage;
            _lastDecile = decile;
        }
    }

    public void Finish()
    {
        if (_interactive)
        {
            Console.Error.WriteLine();
        }
    }
}
