namespace RagService.ModelSetup;

internal static class RepositoryRoot
{
    /// <summary>The first directory upwards from <paramref name="start"/> that holds RagService.sln.</summary>
    public static string Find(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new IOException($"RagService.sln not found above {start}; pass --out and --lock explicitly.");
    }
}
