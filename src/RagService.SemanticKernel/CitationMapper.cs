using RagService.Client;
using RagService.Client.Models;

namespace RagService.SemanticKernel;

/// <summary>Turns the service's hits into citations: name from title and section, link to the document resource.</summary>
internal sealed class CitationMapper(Uri serviceAddress, string collection)
{
    private readonly string _root = serviceAddress.AbsoluteUri.TrimEnd('/');

    public Citation Map(SearchHit hit, int number) => new(number, Name(hit), Link(hit.DocumentId), hit.Text);

    public string Link(string documentId) =>
        $"{_root}/v1/collections/{Uri.EscapeDataString(collection)}/documents/{Uri.EscapeDataString(documentId)}";

    /// <summary>"title › section › subsection"; a heading equal to the title (a Markdown file's H1 is usually its title) is not repeated.</summary>
    internal static string Name(SearchHit hit)
    {
        var name = string.IsNullOrWhiteSpace(hit.Title) ? hit.DocumentId : hit.Title;
        var sections = hit.HeadingPath.SkipWhile(h => string.Equals(h.Trim(), name.Trim(), StringComparison.Ordinal)).ToList();
        return sections.Count > 0 ? $"{name} › {string.Join(" › ", sections)}" : name;
    }
}
