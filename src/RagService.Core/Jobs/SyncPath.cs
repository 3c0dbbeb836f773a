namespace RagService.Core.Jobs;

/// <summary>
/// Normalises a path from an archive or manifest into the document id it becomes: relative, '/'-separated, no "." segments.
/// Refuses what could escape the synced folder (absolute paths, "..") or cannot be an id.
/// </summary>
public static class SyncPath
{
    public const int MaxLength = 512;

    public static bool TryNormalize(string? raw, out string path, out string problem)
    {
        path = "";
        if (string.IsNullOrWhiteSpace(raw))
        {
            problem = "the path is empty";
            return false;
        }

        if (raw.Any(char.IsControl))
        {
            problem = "the path contains control characters";
            return false;
        }

        var slashed = raw.Replace('\\', '/');
        if (slashed.StartsWith('/') || (slashed.Length >= 2 && char.IsAsciiLetter(slashed[0]) && slashed[1] == ':'))
        {
            problem = "absolute paths are not allowed; use paths relative to the synced folder";
            return false;
        }

        var segments = slashed.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(s => s != ".").ToList();
        if (segments.Contains(".."))
        {
            problem = "'..' segments are not allowed (path traversal)";
            return false;
        }

        path = string.Join('/', segments);
        if (path.Length == 0 || path.Length > MaxLength)
        {
            problem = $"the path must be 1-{MaxLength} characters";
            return false;
        }

        problem = "";
        return true;
    }

    public static bool IsSha256(string? hex) => hex is { Length: 64 } && hex.All(char.IsAsciiHexDigit);
}
