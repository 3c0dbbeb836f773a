using RagService.Core.Storage;

namespace RagService.Tests.Shared;

/// <summary>
/// Documents and filters with the documents each filter must keep, worked out by hand from the rules (metadataAnyOf,
/// metadataNoneOf, ranges on declared numbers and dates, folder prefixes). The store and vector conformance suites
/// run the same table, so every engine is held to the same answers.
/// </summary>
public static class RicherFilterCases
{
    public static readonly (string Id, Dictionary<string, string> Metadata)[] Documents =
    [
        ("handbook/hr/leave.md", new() { ["team"] = "hr", ["year"] = "2021", ["published"] = "2021-06-30" }),
        // 2023-01-01T00:00:00+02:00 is 2022-12-31T22:00Z: before 2023 in UTC.
        ("handbook/hr/pay.md", new() { ["team"] = "hr", ["year"] = "2023", ["published"] = "2023-01-01T00:00:00+02:00" }),
        ("handbook/it/vpn.md", new() { ["team"] = "it", ["year"] = "2019.5" }),
        ("handbook/hrx.md", new() { ["team"] = "finance", ["published"] = "2023-01-01" }),
        ("notes.md", new() { ["year"] = "unknown" }),
    ];

    /// <summary>The declared types the ranges below rely on.</summary>
    public static readonly Dictionary<string, MetadataType> Types = new() { ["year"] = MetadataType.Number, ["published"] = MetadataType.Date };

    private static double Utc(int year, int month, int day) => new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static Dictionary<string, IReadOnlyList<string>> Lists(string key, params string[] values) => new() { [key] = values };

    public static IEnumerable<(string Name, SearchFilter Filter, string[] Expected)> Cases() =>
    [
        ("anyOf two teams", new SearchFilter { MetadataAnyOf = Lists("team", "hr", "it") }, ["handbook/hr/leave.md", "handbook/hr/pay.md", "handbook/it/vpn.md"]),
        ("anyOf is exact and case-sensitive", new SearchFilter { MetadataAnyOf = Lists("team", "finance", "HR") }, ["handbook/hrx.md"]),
        ("noneOf keeps documents without the key", new SearchFilter { MetadataNoneOf = Lists("team", "hr") }, ["handbook/hrx.md", "handbook/it/vpn.md", "notes.md"]),
        ("noneOf of every team", new SearchFilter { MetadataNoneOf = Lists("team", "hr", "it", "finance") }, ["notes.md"]),
        ("number gte includes the bound", new SearchFilter { MetadataRanges = [new("year", MetadataType.Number) { Gte = 2021 }] }, ["handbook/hr/leave.md", "handbook/hr/pay.md"]),
        ("number gt excludes the bound", new SearchFilter { MetadataRanges = [new("year", MetadataType.Number) { Gt = 2021 }] }, ["handbook/hr/pay.md"]),
        ("number lt; unparsable values never pass", new SearchFilter { MetadataRanges = [new("year", MetadataType.Number) { Lt = 2021 }] }, ["handbook/it/vpn.md"]),
        ("number between, fractions compare as numbers", new SearchFilter { MetadataRanges = [new("year", MetadataType.Number) { Gte = 2019.5, Lte = 2021 }] },
            ["handbook/hr/leave.md", "handbook/it/vpn.md"]),
        ("date gte compares instants in UTC", new SearchFilter { MetadataRanges = [new("published", MetadataType.Date) { Gte = Utc(2023, 1, 1) }] }, ["handbook/hrx.md"]),
        ("date lt", new SearchFilter { MetadataRanges = [new("published", MetadataType.Date) { Lt = Utc(2023, 1, 1) }] }, ["handbook/hr/leave.md", "handbook/hr/pay.md"]),
        ("folder prefix stops at the slash", new SearchFilter { DocumentIdPrefix = "handbook/hr/" }, ["handbook/hr/leave.md", "handbook/hr/pay.md"]),
        ("outer folder", new SearchFilter { DocumentIdPrefix = "handbook/" }, ["handbook/hr/leave.md", "handbook/hr/pay.md", "handbook/hrx.md", "handbook/it/vpn.md"]),
        ("unknown folder", new SearchFilter { DocumentIdPrefix = "hand/" }, []),
        ("folder and noneOf", new SearchFilter { DocumentIdPrefix = "handbook/hr/", MetadataNoneOf = Lists("team", "hr") }, []),
        ("anyOf and a range", new SearchFilter { MetadataAnyOf = Lists("team", "hr", "it"), MetadataRanges = [new("year", MetadataType.Number) { Lt = 2022 }] },
            ["handbook/hr/leave.md", "handbook/it/vpn.md"]),
    ];
}
