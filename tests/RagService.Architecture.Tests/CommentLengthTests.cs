namespace RagService.Architecture.Tests;

/// <summary>
/// Comments in src/ say what and why in a few short lines; history and measurements belong in docs/. A comment line
/// (// or ///) longer than <see cref="MaxCommentLine"/> characters, indentation included, fails with its file and line.
/// </summary>
public sealed class CommentLengthTests
{
    public const int MaxCommentLine = 160;

    [Fact]
    public void No_comment_line_in_src_is_longer_than_the_limit()
    {
        var src = Path.Combine(RepositoryRoot(), "src");
        var tooLong = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(src, path)))
            .SelectMany(path => File.ReadLines(path).Select((line, i) => (Path: Path.GetRelativePath(src, path), Number: i + 1, Line: line)))
            .Where(l => l.Line.TrimStart().StartsWith("//", StringComparison.Ordinal) && l.Line.Length > MaxCommentLine)
            .Select(l => $"src/{l.Path}:{l.Number} ({l.Line.Length} characters)")
            .ToList();

        Assert.True(tooLong.Count == 0, $"comment lines over {MaxCommentLine} characters:\n" + string.Join('\n', tooLong));
    }

    private static bool IsBuildOutput(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj");

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no RagService.sln above {AppContext.BaseDirectory}");
    }
}
