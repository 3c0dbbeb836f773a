using System.Reflection;

namespace RagService.Cli;

/// <summary>The version the tool was built as (Directory.Build.props, or the release tag), without the commit SourceLink appends after '+'.</summary>
internal static class CliVersion
{
    public static string Current { get; } =
        (typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown").Split('+')[0];
}
