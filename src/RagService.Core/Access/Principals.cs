namespace RagService.Core.Access;

/// <summary>
/// The rules every principal and access list follows, wherever it comes from (a document write, a key, a delegation
/// header, a token): a principal is "kind:name", kind lower-case letters (user, group, role, ...), name 1 or more
/// printable characters without spaces or commas, at most <see cref="MaxLength"/> characters in all. An access list
/// holds 1 to <see cref="MaxPerList"/> of them; duplicates are dropped and the list is kept in ordinal order.
/// </summary>
public static class Principals
{
    public const int MaxLength = 200;

    public const int MaxPerList = 100;

    /// <summary>Why the principal is not valid, or null when it is.</summary>
    public static string? Problem(string? principal)
    {
        if (string.IsNullOrEmpty(principal))
        {
            return "a principal must not be empty";
        }

        if (principal.Length > MaxLength)
        {
            return $"principal '{principal[..40]}...' is longer than {MaxLength} characters";
        }

        var colon = principal.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !principal[..colon].All(char.IsAsciiLetterLower))
        {
            return $"principal '{principal}' must look like kind:name (e.g. user:alice@corp.example, group:hr), kind in lower-case letters";
        }

        if (colon == principal.Length - 1 || principal[(colon + 1)..].Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ','))
        {
            return $"principal '{principal}' needs a name after the colon, without spaces, commas or control characters";
        }

        return null;
    }

    /// <summary>An access list in its stored form (distinct, ordinal order), or the reason it is refused.</summary>
    public static (IReadOnlyList<string>? List, string? Problem) NormalizeList(IReadOnlyList<string>? principals)
    {
        if (principals is null)
        {
            return (null, null);
        }

        if (principals.Count == 0)
        {
            return (null, "an access list must name at least one principal; to make a document visible by its collection's default, leave access out or null");
        }

        if (principals.Count > MaxPerList)
        {
            return (null, $"an access list holds at most {MaxPerList} principals; use groups");
        }

        foreach (var p in principals)
        {
            if (Problem(p) is { } problem)
            {
                return (null, problem);
            }
        }

        return (principals.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList(), null);
    }

    /// <summary>Whether two stored access lists are the same (both none, or the same principals).</summary>
    public static bool SameList(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);
}
