using RagService.Core.Access;

namespace RagService.Api.Security;

/// <summary>
/// A key with the delegate permission acts for an end user: it names the user's principals in the
/// <see cref="HeaderName"/> header (comma-separated), and the request then reads exactly what those principals may
/// (not what the key's own principals may). Each named principal must match one of the key's patterns
/// (<see cref="RagService.Core.Security.ApiKeyRecord.DelegateWithin"/>): a principal where '*' stands for any run of characters, e.g.
/// "user:*@corp.example". A key without the permission that sends the header, a principal outside every pattern, or
/// more than <see cref="Principals.MaxPerList"/> principals is refused (403 / 400) without naming any document.
/// </summary>
internal static class Delegation
{
    public const string HeaderName = "X-Rag-On-Behalf-Of";

    /// <summary>Why a delegation pattern is not valid, or null: principal syntax, where the name may hold '*'.</summary>
    public static string? PatternProblem(string? pattern) =>
        pattern is null ? "a delegation pattern must not be null" : Principals.Problem(pattern.Replace("*", "x", StringComparison.Ordinal)) is { } problem
            ? "delegation pattern: " + problem
            : pattern.IndexOf(':', StringComparison.Ordinal) is var colon && pattern[..colon].Contains('*') ? $"delegation pattern '{pattern}' may use '*' only after the colon" : null;

    public static bool Matches(string pattern, string principal)
    {
        var parts = pattern.Split('*');
        if (parts.Length == 1)
        {
            return string.Equals(pattern, principal, StringComparison.Ordinal);
        }

        if (!principal.StartsWith(parts[0], StringComparison.Ordinal) || !principal.EndsWith(parts[^1], StringComparison.Ordinal)
            || principal.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var at = parts[0].Length;
        var end = principal.Length - parts[^1].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = principal.IndexOf(middle, at, end - at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + middle.Length;
        }

        return true;
    }

    /// <summary>
    /// The caller a request acts as: the key's own caller when the header is absent; otherwise the end user's
    /// principals (for a key allowed to delegate them), or the refusal (status and detail).
    /// </summary>
    public static (Caller? Caller, int Status, string? Refusal) Apply(Caller key, string? header)
    {
        if (header is null)
        {
            return (key, 0, null);
        }

        if (key.DelegateWithin is not { } patterns)
        {
            return (null, StatusCodes.Status403Forbidden,
                $"the key {key.KeyId} has no delegate permission, so it cannot act for a user ({HeaderName}); an admin can create a key with 'delegateWithin' patterns");
        }

        var named = header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (named.Length > Principals.MaxPerList)
        {
            return (null, StatusCodes.Status400BadRequest, $"{HeaderName} names {named.Length} principals; the limit is {Principals.MaxPerList}");
        }

        foreach (var principal in named)
        {
            if (Principals.Problem(principal) is { } problem)
            {
                return (null, StatusCodes.Status400BadRequest, $"{HeaderName}: {problem}");
            }

            if (!patterns.Any(p => Matches(p, principal)))
            {
                return (null, StatusCodes.Status403Forbidden,
                    $"the key {key.KeyId} may not act for '{principal}': its delegation patterns are {string.Join(", ", patterns.Select(p => $"'{p}'"))}");
            }
        }

        return (key with { Principals = named, DelegateWithin = null }, 0, null);
    }
}
