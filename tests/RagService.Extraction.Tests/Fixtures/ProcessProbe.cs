namespace RagService.Extraction.Tests.Fixtures;

internal static class ProcessProbe
{
    /// <summary>True while the process exists and is not a zombie (a killed child re-parented to a non-reaping init stays a zombie).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state != 'Z' && state != 'X';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Waits up to two seconds for the process to be gone (SIGKILL is delivered asynchronously).</summary>
    public static async Task<bool> IsGoneSoonAsync(int pid)
    {
        for (var i = 0; i < 40 && IsAlive(pid); i++)
        {
            await Task.Delay(50);
        }

        return !IsAlive(pid);
    }

    /// <summary>A shell script standing in for a tool; it records its pid and a child's pid, then hangs.</summary>
    public static string HangingTool(string dir)
    {
        var path = Path.Combine(dir, "hanging-tool.sh");
        File.WriteAllText(path, $"""
            #!/bin/sh
            echo $$ > {dir}/tool.pid
            sleep 300 &
            echo $! > {dir}/child.pid
            wait
            """);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }

    public static async Task<int> ReadPidAsync(string file)
    {
        for (var i = 0; i < 100 && !File.Exists(file); i++)
        {
            await Task.Delay(20);
        }

        return int.Parse((await File.ReadAllTextAsync(file)).Trim());
    }
}
