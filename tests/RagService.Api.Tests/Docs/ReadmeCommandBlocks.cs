using System.Text.RegularExpressions;

namespace RagService.Api.Tests.Docs;

/// <summary>The ```sh blocks of one section of the repository's README.md (from its "## " heading to the next one).</summary>
internal static partial class ReadmeCommandBlocks
{
    [GeneratedRegex(@"^```sh\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex ShellBlock();

    public static IReadOnlyList<string> Of(string section)
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = readme.IndexOf($"\n## {section}\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '## {section}' section");
        var end = readme.IndexOf("\n## ", start + 4, StringComparison.Ordinal);
        var text = end < 0 ? readme[start..] : readme[start..end];
        return ShellBlock().Matches(text).Select(m => m.Groups[1].Value).ToList();
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }
}
