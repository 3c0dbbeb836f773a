using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;

namespace RagService.Llm.Prompting;

/// <summary>
/// Loads the embedded *.skprompt.txt templates and splits a rendered template into its system and user messages.
/// Templates are created with AllowDangerouslySetContent because every value is encoded with <see cref="PromptField"/>
/// before it enters them (SK would otherwise encode a second time).
/// </summary>
internal static partial class PromptTemplateFiles
{
    public static IPromptTemplate Load(string name)
    {
        using var stream = typeof(PromptTemplateFiles).Assembly.GetManifestResourceStream($"RagService.Llm.Prompting.{name}")
            ?? throw new InvalidOperationException($"embedded prompt template {name} is missing");
        using var reader = new StreamReader(stream);
        var config = new PromptTemplateConfig(reader.ReadToEnd()) { Name = name };
        return new KernelPromptTemplateFactory { AllowDangerouslySetContent = true }.Create(config);
    }

    public static string Message(string rendered, string role, string templateName)
    {
        // Encoded values cannot contain "</message>", so the first closing tag after the role's opening tag is its own.
        var match = MessageRegex().Matches(rendered.Replace("\r\n", "\n", StringComparison.Ordinal)).FirstOrDefault(m => m.Groups[1].Value == role)
            ?? throw new InvalidOperationException($"{templateName} has no <message role=\"{role}\">");
        return match.Groups[2].Value;
    }

    [GeneratedRegex("<message role=\"(system|user)\">\\n(.*?)\\n?</message>", RegexOptions.Singleline)]
    private static partial Regex MessageRegex();
}
