using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace RagService.Cli.CommandLine;

/// <summary>Builds options with a help name and default, and the checks whose errors name the option.</summary>
internal static class OptionRules
{
    public static Option<T> Create<T>(string name, string description, string valueName) =>
        new(name) { Description = description, HelpName = valueName };

    public static Option<T> Create<T>(string name, string description, string valueName, T defaultValue) =>
        new(name) { Description = description, HelpName = valueName, DefaultValueFactory = _ => defaultValue };

    /// <summary>A number option read with the invariant culture (0.5 means a half on every machine).</summary>
    public static Option<double> Number(string name, string description, string valueName, double? defaultValue = null)
    {
        var option = new Option<double>(name)
        {
            Description = description,
            HelpName = valueName,
            CustomParser = ParseInvariant,
        };
        if (defaultValue is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>
    /// Only these values (offered to tab completion too). Unlike the library's AcceptOnlyFromAmong, the error names the
    /// option: "--fusion must be calibrated, weighted or rrf, not 'x'".
    /// </summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.CompletionSources.Add(values);
        return option.Check(value => value is null || values.Contains(value, StringComparer.Ordinal),
            value => $"{option.Name} must be {string.Join(", ", values[..^1])} or {values[^1]}, not '{value}'");
    }

    public static Option<T> Within<T>(this Option<T> option, T min, T max)
        where T : IComparable<T> =>
        option.Check(value => value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0,
            value => $"{option.Name} must be from {Format(min)} to {Format(max)}, not {Format(value)}");

    public static Option<int> AtLeast(this Option<int> option, int min) =>
        option.Check(value => value >= min, value => $"{option.Name} must be at least {min}, not {value}");

    /// <summary>Comma-separated whole numbers ("500,1000,2000"), each within [min, max]; the error names the option.</summary>
    public static Option<string> NumberList(this Option<string> option, int min, int max) =>
        option.Check(value => value is null || value.Split(',', StringSplitOptions.TrimEntries).All(part =>
                int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max),
            value => $"{option.Name} takes comma-separated whole numbers from {min} to {max}, not '{value}'");

    /// <summary>The numbers of a value checked by <see cref="NumberList"/>, distinct and in order; empty for none.</summary>
    public static IReadOnlyList<int> ParseNumberList(string? value) =>
        value is null ? [] : value.Split(',', StringSplitOptions.TrimEntries).Select(part => int.Parse(part, CultureInfo.InvariantCulture)).Distinct().Order().ToList();

    /// <summary>Adds an error saying <paramref name="error"/> when a parsed value fails <paramref name="valid"/>.</summary>
    public static Option<T> Check<T>(this Option<T> option, Func<T, bool> valid, Func<T, string> error)
    {
        option.Validators.Add(result =>
        {
            T value;
            try
            {
                value = result.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // the value did not parse: that error is reported already
            }

            if (!valid(value))
            {
                result.AddError(error(value));
            }
        });
        return option;
    }

    private static double ParseInvariant(ArgumentResult result)
    {
        var token = result.Tokens[0].Value;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        result.AddError($"{((OptionResult)result.Parent!).Option.Name} needs a number, not '{token}'");
        return 0;
    }

    private static string Format<T>(T value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
}
