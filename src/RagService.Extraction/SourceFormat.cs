namespace RagService.Extraction;

/// <summary>The formats the extractor reads.</summary>
public enum SourceFormat
{
    Text,
    Markdown,
    Html,
    Pdf,
    Docx,
    Image,
}
