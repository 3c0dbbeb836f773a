using System.Globalization;

namespace RagService.Core.Storage;

/// <summary>The type a collection declares for a metadata key (<see cref="CollectionSettings.MetadataTypes"/>), so ranges can compare its values.</summary>
public enum MetadataType
{
    Number,
    Date,
}

/// <summary>
/// Reads declared metadata values as the doubles every engine compares. Numbers: invariant decimal text with an
/// optional sign, fraction and exponent ("2024", "-1.5", "3e2"), finite. Dates: "yyyy-MM-dd" (midnight UTC) or an ISO
/// 8601 date and time with seconds and an offset or "Z" ("2024-03-01T08:30:00+01:00"), compared as milliseconds since
/// 1970 UTC. One parser for writes, filter bounds, the stores and the Qdrant payload keeps them all in agreement.
/// </summary>
public static class MetadataValues
{
    private static readonly string[] DateFormats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public static bool TryParse(MetadataType type, string? text, out double value)
    {
        value = 0;
        if (text is null)
        {
            return false;
        }

        if (type == MetadataType.Number)
        {
            return double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out value)
                && double.IsFinite(value);
        }

        if (!DateTimeOffset.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            || (text.Length > 10 && !HasOffset(text)))
        {
            return false;
        }

        value = (date.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerMillisecond;
        return true;
    }

    /// <summary>
    /// Every value of <paramref name="metadata"/> that reads as a number or a date, once per type it reads as, in key
    /// order: what a store or an engine indexes so that a range on any key declared later compares the same values.
    /// </summary>
    public static IEnumerable<(string Key, MetadataType Type, double Value)> Typed(IReadOnlyDictionary<string, string> metadata)
    {
        foreach (var (key, text) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            foreach (var type in Enum.GetValues<MetadataType>())
            {
                if (TryParse(type, text, out var value))
                {
                    yield return (key, type, value);
                }
            }
        }
    }

    /// <summary>What a value of the type looks like, for refusals.</summary>
    public static string Expected(MetadataType type) => type == MetadataType.Number
        ? "a number such as \"2024\" or \"-1.5\""
        : "a date \"yyyy-MM-dd\" or a date and time with an offset such as \"2024-03-01T08:30:00Z\"";

    public static string Name(MetadataType type) => type == MetadataType.Number ? "number" : "date";

    public static MetadataType? ParseName(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "number" => MetadataType.Number,
        "date" => MetadataType.Date,
        _ => null,
    };

    /// <summary>A time without an offset would mean a different instant on every server; it is refused rather than guessed.</summary>
    private static bool HasOffset(string text) => text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-';
}

/// <summary>
/// A range on a declared metadata key: a document passes when it has the key and its value, read as
/// <see cref="Type"/> (<see cref="MetadataValues"/>), is within every bound given. Values that do not parse never pass.
/// </summary>
public sealed record MetadataRange(string Key, MetadataType Type)
{
    public double? Gt { get; init; }

    public double? Gte { get; init; }

    public double? Lt { get; init; }

    public double? Lte { get; init; }

    public bool Contains(double value) =>
        (Gt is not { } gt || value > gt) && (Gte is not { } gte || value >= gte) && (Lt is not { } lt || value < lt) && (Lte is not { } lte || value <= lte);

    public bool Matches(string? text) => MetadataValues.TryParse(Type, text, out var value) && Contains(value);
}
