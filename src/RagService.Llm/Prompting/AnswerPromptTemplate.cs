using System.Globalization;
using System.Reflection;
using System.Text;
using Microsoft.SemanticKernel;
using RagService.Core.Conversation;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Text;

namespace RagService.Llm.Prompting;

/// <summary>
/// Renders the answer prompt from the Semantic Kernel prompt template files next to this class
/// (<c>answer.skprompt.txt</c>, one <c>source.skprompt.txt</c> per source, one <c>turn.skprompt.txt</c> per earlier turn). Sources are numbered [1]..[n] in rank order;
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

    public Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<SearchHit> sources, CancellationToken ct) => RenderAsync(question, sources, [], ct);

    public async Task<AugmentedPrompt> RenderAsync(string question, IReadOnlyList<SearchHit> sources, IReadOnlyList<ConversationTurn> history, CancellationToken ct)
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
            ["conversation"] = history.Count > 0 ? $"<conversation>\n{await _turns.RenderAsync(history, ct)}</conversation>\n\n" : "",
            ["sources"] = block.ToString(),
            ["question"] = PromptField.Text(question.Trim()),
        }, ct);
        return new AugmentedPrompt(PromptTemplateFiles.Message(rendered, "system", "answer.skprompt.txt"), PromptTemplateFiles.Message(rendered, "user", "answer.skprompt.txt"));
    }

    /// <summary>True when the text contains Chinese/Japanese/Korean characters.</summary>
    public static bool IsChinese(string text) => Enumerable.Range(0, text.Length).Any(i => MixedScriptAnalyzer.IsCjk(text, i));
}
