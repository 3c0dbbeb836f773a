using System.Globalization;
using System.Text.RegularExpressions;
using RagService.Api.Contracts;
using RagService.Api.Endpoints;

namespace RagService.Api.OpenAi;

/// <summary>
/// Turns each "[n]" marker of an answer into an OpenAI url_citation annotation over that marker, titled with source n's
/// document title (and section / page when known) and pointing at the document on this service. Markers whose number
/// is not a source (e.g. "[7]" with 5 sources) get none; the text keeps every marker as written.
/// </summary>
internal static partial class CitationAnnotations
{
    [GeneratedRegex(@"\[(\d{1,4})\]")]
    private static partial Regex Marker();

    public static IReadOnlyList<UrlCitationAnnotation> Of(string answer, IReadOnlyList<SearchHitResponse> sources, string collection, string baseUrl)
    {
        var annotations = new List<UrlCitationAnnotation>();
        foreach (Match m in Marker().Matches(answer))
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            if (n < 1 || n > sources.Count)
            {
                continue;
            }

            var source = sources[n - 1];
            var title = source.Title ?? source.DocumentId;
            annotations.Add(new UrlCitationAnnotation("url_citation", new UrlCitation(m.Index, m.Index + m.Length,
                source.Citation is { } where ? $"{title} ({where})" : title, baseUrl + DocumentIdPath.Location(collection, source.DocumentId))));
        }

        return annotations;
    }
}
