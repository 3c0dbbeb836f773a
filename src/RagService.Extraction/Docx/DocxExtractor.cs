using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using RagService.Core.Documents;
using RagService.Extraction.Text;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.Extraction.Docx;

/// <summary>
/// DOCX via DocumentFormat.OpenXml: headings (style name, style or direct outline level), list paragraphs
/// (numbering), tables (one line per row) and paragraphs. The archive passes <see cref="ZipBombGuard"/> first.
/// </summary>
public sealed class DocxExtractor(ExtractionOptions options) : IFormatExtractor
{
    public SourceFormat Format => SourceFormat.Docx;

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, SniffResult sniffed, CancellationToken cancellationToken)
    {
        ZipBombGuard.Check(content, options.MaxDocxEntries, options.MaxDocxUncompressedBytes, cancellationToken);
        try
        {
            using var package = WordprocessingDocument.Open(ReadOnlyStream.Of(content), isEditable: false);
            var main = package.MainDocumentPart ?? throw new ExtractionException("The DOCX file has no main document part.", ExtractionFailure.Unreadable);
            var styles = new DocxStyles(main.StyleDefinitionsPart?.Styles ?? main.StylesWithEffectsPart?.Styles);
            var blocks = new List<DocumentBlock>();
            string? styledTitle = null;
            // Writers (and hostile files) may put several w:body elements in the document; Word shows them all.
            foreach (var body in main.Document?.Elements<W.Body>() ?? [])
            {
                Walk(body, styles, blocks, ref styledTitle, cancellationToken);
            }

            var title = package.PackageProperties.Title is { Length: > 0 } t ? CjkText.CollapseWhitespace(t) : styledTitle;
            return Task.FromResult(new ExtractedDocument(title, blocks, "docx"));
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or FileFormatException)
        {
            throw new ExtractionException("The DOCX file is damaged: " + ex.Message, ExtractionFailure.Unreadable, ex);
        }
    }

    private static void Walk(OpenXmlElement? container, DocxStyles styles, List<DocumentBlock> blocks, ref string? title, CancellationToken ct)
    {
        if (container is null)
        {
            return;
        }

        foreach (var element in container.ChildElements)
        {
            ct.ThrowIfCancellationRequested();
            switch (element)
            {
                case W.Paragraph paragraph:
                    AddParagraph(paragraph, styles, blocks, ref title);
                    break;
                case W.Table table:
                    var rows = table.Elements<W.TableRow>()
                        .Select(row => string.Join(" | ", row.Elements<W.TableCell>().Select(CellText)))
                        .Where(row => row.Replace("|", "").Trim().Length > 0);
                    Add(blocks, BlockKind.Table, string.Join('\n', rows));
                    break;
                case W.SdtBlock or W.CustomXmlBlock or W.SdtContentBlock:
                    Walk(element is W.SdtBlock sdt ? sdt.SdtContentBlock : element, styles, blocks, ref title, ct);
                    break;
            }
        }
    }

    private static void AddParagraph(W.Paragraph paragraph, DocxStyles styles, List<DocumentBlock> blocks, ref string? title)
    {
        var text = ParagraphText(paragraph);
        if (text.Length == 0)
        {
            return;
        }

        var properties = paragraph.ParagraphProperties;
        var styleId = properties?.ParagraphStyleId?.Val?.Value;

        var level = properties?.OutlineLevel?.Val?.Value is int outline and < 9 ? outline + 1 : styles.HeadingLevel(styleId);
        if (styles.IsTitle(styleId))
        {
            title ??= text;
            level = 1;
        }
        if (level > 0)
        {
            Add(blocks, BlockKind.Heading, text, Math.Min(level, 6));
        }
        else if (properties?.NumberingProperties?.NumberingId?.Val?.Value is > 0 || styles.IsList(styleId))
        {
            Add(blocks, BlockKind.ListItem, text);
        }
        else
        {
            Add(blocks, BlockKind.Paragraph, text);
        }
    }

    private static string CellText(W.TableCell cell) =>
        CjkText.CollapseWhitespace(string.Join(' ', cell.Descendants<W.Paragraph>().Select(ParagraphText)));

    // Only w:t counts as text: deleted runs (w:delText) and field codes (w:instrText) are not content.
    private static string ParagraphText(W.Paragraph paragraph)
    {
        var sb = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case W.Text text:
                    sb.Append(text.Text);
                    break;
                case W.TabChar or W.Break or W.CarriageReturn:
                    sb.Append(' ');
                    break;
            }
        }
        return CjkText.CollapseWhitespace(sb.ToString());
    }

    private static void Add(List<DocumentBlock> blocks, BlockKind kind, string text, int level = 0)
    {
        if (text.Length > 0)
        {
            blocks.Add(new DocumentBlock(kind, text, level));
        }
    }
}
