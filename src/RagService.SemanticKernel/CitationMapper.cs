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

    private static string Name(SearchHit hit)
    {
        var name = string.IsNullOrWhiteSpace(hit.Title) ? hit.DocumentId : hit.Title;
        return hit.HeadingPath.Count > 0 ? $"{name} › {string.Join(" › ", hit.HeadingPath)}" : name;
    }
}
