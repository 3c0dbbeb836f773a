namespace RagService.Core.Ingestion;

/// <summary>The short context indexed with each chunk: document title and heading path ("Title > Section > Subsection").</summary>
public static class ContextHeader
{
    public static string For(string? title, IReadOnlyList<string> headingPath)
    {
        var parts = new List<string>(headingPath.Count + 1);
        if (!string.IsNullOrWhiteSpace(title))
        {
            parts.Add(title.Trim());
        }

        foreach (var h in headingPath)
        {
            if (!string.IsNullOrWhiteSpace(h) && !string.Equals(h.Trim(), title?.Trim(), StringComparison.Ordinal))
            {
                parts.Add(h.Trim());
            }
        }

        return string.Join(" > ", parts);
    }
}
