using RagService.Client.Sync;

namespace RagService.Client.Tests;

/// <summary>The access map's rules, each path's list worked out by hand from them.</summary>
public sealed class SyncAccessMapTests
{
    private const string Map = """
        # comment, then blank line

        **                 group:staff
        *.md               group:writers
        hr/**              group:hr
        hr/public/*        
        finance/**/q?.xlsx group:finance	user:cfo@corp.example
        """;

    [Theory]
    [InlineData("readme.txt", "group:staff")]                         // only "**"
    [InlineData("readme.md", "group:writers")]                        // "*.md" is later than "**"
    [InlineData("docs/readme.md", "group:staff")]                     // '*' stays within one folder level
    [InlineData("hr/leave.md", "group:hr")]
    [InlineData("hr/a/b/c.txt", "group:hr")]
    [InlineData("hr/public/holidays.md", "")]                         // a glob alone: no list
    [InlineData("hr/public/x/deep.md", "group:hr")]                   // '*' does not cross into x/
    [InlineData("finance/q1.xlsx", "group:finance,user:cfo@corp.example")] // "**/" may match no folder
    [InlineData("finance/2024/eu/q4.xlsx", "group:finance,user:cfo@corp.example")]
    [InlineData("finance/2024/q10.xlsx", "group:staff")]              // '?' is one character
    public void The_last_matching_line_gives_the_list(string path, string expected) =>
        Assert.Equal(expected, string.Join(',', SyncAccessMap.Parse(Map).For(path)));

    [Fact]
    public void No_rule_means_no_list_and_an_absolute_glob_is_refused_naming_its_line()
    {
        Assert.Empty(SyncAccessMap.Parse("hr/** group:hr").For("guide.md"));
        var e = Assert.Throws<FormatException>(() => SyncAccessMap.Parse("# x\n/hr/** group:hr"));
        Assert.StartsWith("line 2:", e.Message, StringComparison.Ordinal);
    }
}
