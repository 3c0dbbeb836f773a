using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.SemanticKernel;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Text;

namespace RagService.Llm.Prompting;

/// <summary>
/// Renders the answer prompt from the Semantic Kernel prompt template files next to this class
/// (<c>answer.skprompt.txt</c>, one <c>source.skprompt.txt</c> per source). Sources are numbered [1]..[n] in rank order;
/// every value is encoded with <see cref="PromptField"/> first, which is why the templates are rendered with
/// AllowDangerouslySetContent (SK would otherwise HTML-encode the already encoded values, and the sources block, again). Needs no LLM: the rendered prompt
/// is returned to callers even when none is configured.
/// </summary>
public sealed partial class AnswerPromptTemplate : IAnswerPromptRenderer
{
    private readonly Kernel _kernel = new();
    private readonly IPromptTemplate _answer = Load("answer.skprompt.txt");
    private readonly IPromptTemplate _source = Load("source.skprompt.txt");

    public async Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<SearchHit> sources, CancellationToken ct)
    {
        var block = new StringBuilder();
        for (var i = 0; i < sources.Count; i++)
        {
            var c = sources[i].Chunk;
            var source = await _source.RenderAsync(_kernel, new KernelArguments
            {
                ["id"] = (i + 1).ToString(CultureInfo.InvariantCulture),
                ["title"] = PromptField.Attribute(c.DocumentTitle ?? c.DocumentId),
                // The basic template syntax has no conditionals: optional attributes arrive whole, or empty.
                ["sectionAttribute"] = c.HeadingPath.Count > 0 ? $" section=\"{PromptField.Attribute(string.Join(" > ", c.HeadingPath))}\"" : "",
                ["pageAttribute"] = c.Page is { } page ? $" page=\"{page.ToString(CultureInfo.InvariantCulture)}\"" : "",
                ["updated"] = c.UpdatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["text"] = PromptField.Text(c.Text),
            }, ct);
            block.Append(source.TrimEnd('\r', '\n')).Append('\n');
        }

        var rendered = await _answer.RenderAsync(_kernel, new KernelArguments
        {
            ["language"] = IsChinese(question) ? "Chinese, the language of the question" : "the language of the question",
            ["sources"] = block.ToString(),
            ["question"] = PromptField.Text(question.Trim()),
        }, ct);
        return new AugmentedPrompt(Message(rendered, "system"), Message(rendered, "user"));
    }

    /// <summary>True when the text contains Chinese/Japanese/Korean characters.</summary>
    public static bool IsChinese(string text) => Enumerable.Range(0, text.Length).Any(i => MixedScriptAnalyzer.IsCjk(text, i));

    private static string Message(string rendered, string role)
    {
        // Encoded values cannot contain "</message>", so the first closing tag after the role's opening tag is its own.
        var match = MessageRegex().Matches(rendered.Replace("\r\n", "\n", StringComparison.Ordinal)).FirstOrDefault(m => m.Groups[1].Value == role)
            ?? throw new InvalidOperationException($"answer.skprompt.txt has no <message role=\"{role}\">");
        return match.Groups[2].Value;
    }

    private static IPromptTemplate Load(string name)
    {
        using var stream = typeof(AnswerPromptTemplate).Assembly.GetManifestResourceStream($"RagService.Llm.Prompting.{name}")
            ?? throw new InvalidOperationException($"embedded prompt template {name} is missing");
        using var reader = new StreamReader(stream);
        var config = new PromptTemplateConfig(reader.ReadToEnd()) { Name = name };
        return new KernelPromptTemplateFactory { AllowDangerouslySetContent = true }.Create(config);
    }

    [GeneratedRegex("<message role=\"(system|user)\">\\n(.*?)\\n?</message>", RegexOptions.Singleline)]
    private static partial Regex MessageRegex();
}
