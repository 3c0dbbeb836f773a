using RagService.Core.Jobs;

namespace RagService.Core.Tests;

public sealed class SyncPlannerTests
{
    private static readonly string ShaA = new('a', 64);
    private static readonly string ShaB = new('b', 64);

    [Fact]
    public void Plan_compares_hashes_and_prunes_only_when_asked()
    {
        var stored = new Dictionary<string, string?> { ["same.md"] = ShaA, ["edited.md"] = ShaA, ["gone.md"] = ShaA, ["api-doc"] = null };
        var files = new[] { new SyncFile("same.md", ShaA, true), new SyncFile("edited.md", ShaB, true), new SyncFile("new.md", ShaB, true) };

        var plan = SyncPlanner.Plan(files, stored, prune: true).ToDictionary(p => p.Path, p => p.Action);
        Assert.Equal(SyncAction.Unchanged, plan["same.md"]);
        Assert.Equal(SyncAction.Update, plan["edited.md"]);
        Assert.Equal(SyncAction.Add, plan["new.md"]);
        Assert.Equal(SyncAction.Delete, plan["gone.md"]);
        Assert.Equal(SyncAction.Delete, plan["api-doc"]);

        Assert.DoesNotContain(SyncPlanner.Plan(files, stored, prune: false), p => p.Action == SyncAction.Delete);
    }

    [Fact]
    public void A_hash_only_entry_that_differs_from_the_store_needs_its_content()
    {
        var stored = new Dictionary<string, string?> { ["same.md"] = ShaA, ["edited.md"] = ShaA };
        var files = new[] { new SyncFile("same.md", ShaA.ToUpperInvariant(), false), new SyncFile("edited.md", ShaB, false), new SyncFile("new.md", ShaB, false) };

        var plan = SyncPlanner.Plan(files, stored, prune: false);
        Assert.Equal(["edited.md", "new.md"], plan.Where(p => p.NeedsContent).Select(p => p.Path));
        Assert.Equal(SyncAction.Unchanged, plan.Single(p => p.Path == "same.md").Action);
    }

    [Theory]
    [InlineData("docs/a.md", "docs/a.md")]
    [InlineData("./docs//a.md", "docs/a.md")]
    [InlineData("docs\\sub\\a.md", "docs/sub/a.md")]
    [InlineData("菜单/午餐.md", "菜单/午餐.md")]
    public void Paths_are_normalised_to_relative_slash_separated_ids(string raw, string expected)
    {
        Assert.True(SyncPath.TryNormalize(raw, out var path, out _));
        Assert.Equal(expected, path);
    }

    [Theory]
    [InlineData("../evil.md", "'..'")]
    [InlineData("docs/../../evil.md", "'..'")]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("\\\\server\\share\\a.md", "absolute")]
    [InlineData("C:/Windows/a.md", "absolute")]
    [InlineData("./", "1-512")]
    [InlineData("a\u0000b.md", "control")]
    [InlineData(null, "the path is empty")]
    [InlineData("", "the path is empty")]
    [InlineData("   ", "the path is empty")]
    [InlineData("C:", "absolute")]
    public void Paths_that_could_escape_or_are_not_ids_are_refused(string? raw, string reason)
    {
        Assert.False(SyncPath.TryNormalize(raw, out var path, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
        Assert.Equal("", path);
    }

    [Fact]
    public void A_one_letter_path_is_an_id_and_an_accepted_path_has_no_problem()
    {
        Assert.True(SyncPath.TryNormalize("a", out var path, out var problem));
        Assert.Equal("a", path);
        Assert.Equal("", problem);
    }

    [Fact]
    public void Paths_are_ids_up_to_512_characters()
    {
        var longest = new string('x', 509) + ".md";
        Assert.True(SyncPath.TryNormalize(longest, out var path, out _));
        Assert.Equal(512, path.Length);

        Assert.False(SyncPath.TryNormalize("y" + longest, out _, out var problem));
        Assert.Equal("the path must be 1-512 characters", problem);
    }

    [Theory]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", true)]
    [InlineData("9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08", true)]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", false)]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a080", false)]
    [InlineData("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0g", false)]
    [InlineData(null, false)]
    public void A_sha256_is_64_hex_digits(string? hex, bool valid)
    {
        Assert.Equal(valid, SyncPath.IsSha256(hex));
    }
}
