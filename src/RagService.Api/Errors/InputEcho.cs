using System.Text;

namespace RagService.Api.Errors;

/// <summary>
/// Client input quoted in a problem detail or a log line: cut to a small bound and with control characters made
/// visible, so a 200 MB name or a forged log line never travels back out.
/// </summary>
internal static class InputEcho
{
    public const int MaxChars = 120;

    public static string Of(string? input)
    {
        if (input is null)
        {
            return "";
        }

        var sb = new StringBuilder(Math.Min(input.Length, MaxChars) + 16);
        foreach (var c in input.AsSpan(0, Math.Min(input.Length, MaxChars)))
        {
            sb.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        if (input.Length > MaxChars)
        {
            sb.Append($"… ({input.Length} characters)");
        }

        return sb.ToString();
    }
}
