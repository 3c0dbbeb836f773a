namespace RagService.ModelSetup;

/// <summary>
/// The sha256 pins of one model in deploy/models.lock: lines "&lt;model&gt; &lt;source&gt; &lt;revision&gt; &lt;file&gt; &lt;sha256&gt;".
/// </summary>
internal static class ModelsLock
{
    public static IReadOnlyDictionary<string, string> Read(string lockFile, string model)
    {
        if (!File.Exists(lockFile))
        {
            throw new IOException($"Lock file not found: {lockFile}");
        }

        var pins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(lockFile))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 5 && !line.StartsWith('#') && fields[0] == model)
            {
                pins[fields[3]] = fields[4];
            }
        }

        return pins;
    }
}
