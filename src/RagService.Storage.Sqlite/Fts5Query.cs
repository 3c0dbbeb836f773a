namespace RagService.Storage.Sqlite;

/// <summary>Builds FTS5 MATCH expressions from analyzed terms, quoting each so no term is read as query syntax.</summary>
internal static class Fts5Query
{
    /// <summary>OR of the terms (repeats kept: like Lucene, a repeated query term weighs more); null when there are none.</summary>
    public static string? AnyOf(IReadOnlyList<string> terms)
    {
        var quoted = terms.Where(t => t.Length > 0).Select(t => "\"" + t.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"").ToList();
        return quoted.Count == 0 ? null : string.Join(" OR ", quoted);
    }
}
