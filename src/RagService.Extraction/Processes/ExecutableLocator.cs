using System.Collections.Concurrent;

namespace RagService.Extraction.Processes;

/// <summary>Resolves a tool name against PATH (absolute or relative paths are taken as they are).</summary>
public static class ExecutableLocator
{
    private static readonly ConcurrentDictionary<string, string?> Cache = new();

    public static string? Find(string tool)
    {
        if (tool.Contains('/'))
        {
            return File.Exists(tool) ? Path.GetFullPath(tool) : null;
        }

        return Cache.GetOrAdd(tool, static name =>
            (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, name))
                .FirstOrDefault(File.Exists));
    }
}
