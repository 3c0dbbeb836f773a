namespace RagService.Core.Documents;

/// <summary>The text of a source file with its structure, as produced by an <see cref="IDocumentExtractor"/>.</summary>
/// <param name="Title">A title found in the source (HTML title, first H1, DOCX core properties), or null.</param>
/// <param name="Blocks">Blocks in reading order.</param>
/// <param name="Format">Short name of the detected format: "text", "markdown", "html", "pdf", "docx", "image".</param>
public sealed record ExtractedDocument(string? Title, IReadOnlyList<DocumentBlock> Blocks, string Format)
{
    /// <summary>All block texts joined by blank lines; used for content hashing and for contextual prompts.</summary>
    public string FullText => string.Join("\n\n", Blocks.Select(b => b.Text));

    /// <summary>
    /// How the text was obtained, as "extraction.*" key/values (e.g. which PDF text layer ran, why it fell back, which
    /// pages were OCRed); stored with the document's metadata so that GET on the document shows it.
    /// </summary>
    public IReadOnlyDictionary<string, string> Report { get; init; } = new Dictionary<string, string>();

    /// <summary>What could not be read although the document as a whole was (e.g. "page 3: the text layer is unreadable …").</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
