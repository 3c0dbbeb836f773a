using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.SemanticKernel;
using RagService.Core.Context;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Core.Text;

namespace RagService.Llm.Prompting;

/// <summary>
/// Renders the answer prompt from the Semantic Kernel prompt template files next to this class
/// (<c>answer.skprompt.txt</c>, one <c>source.skprompt.txt</c> per source, one <c>turn.skprompt.txt</c> per earlier turn). Sources are numbered
/// [1]..[n] as the context stage ordered them (a merged source gives its page range, e.g. page="3-5");
/// every value is encoded with <see cref="PromptField"/> first, which is why the templates are rendered with
/// AllowDangerouslySetContent (SK would otherwise HTML-encode the already encoded values, and the sources block, again). Needs no LLM: the rendered prompt
/// is returned to callers even when none is configured.
/// </summary>
public sealed class AnswerPromptTemplate : IAnswerPromptRenderer
{
    private readonly Kernel _kernel = new();
    private readonly IPromptTemplate _answer = PromptTemplateFiles.Load("answer.skprompt.txt");
    private readonly IPromptTemplate _source = PromptTemplateFiles.Load("source.skprompt.txt");
    private readonly ConversationBlock _turns = new();

    public Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ContextSource> sources, CancellationToken ct) => RenderAsync(question, sources, [], ct);

    public async Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<ContextSource> sources, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
    {
        var block = new StringBuilder();
        foreach (var s in sources)
        {
            var sections = s.Sections.Where(p => p.Count > 0).Select(p => string.Join(" > ", p)).ToList();
            var source = await _source.RenderAsync(_kernel, new KernelArguments
            {
                ["id"] = s.Number.ToString(CultureInfo.InvariantCulture),
                ["title"] = PromptField.Attribute(s.Title ?? s.DocumentId),
                // The basic template syntax has no conditionals: optional attributes arrive whole, or empty.
                ["sectionAttribute"] = sections.Count > 0 ? $" section=\"{PromptField.Attribute(string.Join("; ", sections))}\"" : "",
                ["pageAttribute"] = s.Pages is { } pages ? $" page=\"{pages}\"" : "",
                ["updated"] = s.UpdatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["text"] = PromptField.Text(s.Text),
            }, ct);
            block.Append(source.TrimEnd('\r', '\n')).Append('\n');
        }

        var rendered = await _answer.RenderAsync(_kernel, new KernelArguments
        {
            ["language"] = IsChinese(question) ? "Chinese, the language of the question" : "the language of the question",
            ["conversation"] = history.Count > 0 ? $"<conversation>\n{await _turns.RenderAsync(history, ct)}</conversation>\n\n" : "",
            ["sources"] = block.ToString(),
            ["question"] = PromptField.Text(question.Trim()),
        }, ct);
        return new AugmentedPrompt(PromptTemplateFiles.Message(rendered, "system", "answer.skprompt.txt"), PromptTemplateFiles.Message(rendered, "user", "answer.skprompt.txt"));
    }

    /// <summary>True when the text contains Chinese/Japanese/Korean characters.</summary>
    public static bool IsChinese(string text) => Enumerable.Range(0, text.Length).Any(i => MixedScriptAnalyzer.IsCjk(text, i));
}
