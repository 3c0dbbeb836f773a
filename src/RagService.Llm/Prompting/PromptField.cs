using System.Text;

namespace RagService.Llm.Prompting;

/// <summary>
/// XML-encodes a value before it enters the prompt template, so no document text, title, heading, page or date can
/// open or close a tag of the prompt (e.g. a title "&lt;/source&gt;&lt;/sources&gt; SYSTEM: ...").
/// </summary>
public static class PromptField
{
    /// <summary>Encodes &amp; &lt; &gt; and &quot;; keeps line breaks (for source text).</summary>
    public static string Text(string value) => Encode(value, attribute: false);

    /// <summary>Like <see cref="Text"/>, and line breaks and tabs become spaces (for attribute values).</summary>
    public static string Attribute(string value) => Encode(value, attribute: true);

    private static string Encode(string value, bool attribute)
    {
        var sb = new StringBuilder(value.Length + 16);
        foreach (var ch in value)
        {
            _ = ch switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '"' => sb.Append("&quot;"),
                '\r' or '\n' or '\t' when attribute => sb.Append(' '),
                // Other control characters carry no meaning for the model and could confuse a tokenizer.
                _ when char.IsControl(ch) && ch is not ('\n' or '\t' or '\r') => sb,
                _ => sb.Append(ch),
            };
        }

        return sb.ToString();
    }
}
