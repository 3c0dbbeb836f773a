using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using W = DocumentFormat.OpenXml.Wordprocessing;

namespace RagService.Extraction.Tests.Fixtures;

/// <summary>Builds small DOCX files with DocumentFormat.OpenXml.</summary>
internal static class DocxFixture
{
    /// <summary>A manual with a title, headings by style (English and Chinese names) and by outline level, a numbered list and a table.</summary>
    public static byte[] Manual()
    {
        using var ms = new MemoryStream();
        using (var doc = WordprocessingDocument.Create(ms, WordprocessingDocumentType.Document))
        {
            doc.PackageProperties.Title = "XYZ-123 维护手册";
            var main = doc.AddMainDocumentPart();
            var stylesPart = main.AddNewPart<StyleDefinitionsPart>();
            stylesPart.Styles = new W.Styles(
                Style("Title", "Title"),
                Style("Heading1", "heading 1"),
                Style("2", "标题 2"),
                Style("ListParagraph", "List Paragraph"));
            main.Document = new W.Document(new W.Body(
                Para("XYZ-123 维护手册", style: "Title"),
                Para("第一章 概述", style: "Heading1"),
                Para("本设备的额定电压为 220V，最大功率为 1500W。"),
                Para("1.1 安全须知", style: "2"),
                NumberedPara("断开电源"),
                NumberedPara("等待五分钟"),
                Para("Appendix by outline level", outlineLevel: 0),
                Table(["参数", "数值"], ["电压", "220V"], ["功率", "1500W"]),
                Para("Text after the table.")));
        }
        return ms.ToArray();
    }

    private static W.Style Style(string id, string name) =>
        new(new W.StyleName { Val = name }) { Type = W.StyleValues.Paragraph, StyleId = id };

    private static W.Paragraph Para(string text, string? style = null, int? outlineLevel = null)
    {
        var properties = new W.ParagraphProperties();
        if (style is not null)
        {
            properties.ParagraphStyleId = new W.ParagraphStyleId { Val = style };
        }

        if (outlineLevel is not null)
        {
            properties.OutlineLevel = new W.OutlineLevel { Val = outlineLevel };
        }

        return new W.Paragraph(properties, new W.Run(new W.Text(text) { Space = SpaceProcessingModeValues.Preserve }));
    }

    private static W.Paragraph NumberedPara(string text)
    {
        var p = Para(text, style: "ListParagraph");
        p.ParagraphProperties!.NumberingProperties = new W.NumberingProperties(
            new W.NumberingLevelReference { Val = 0 }, new W.NumberingId { Val = 1 });
        return p;
    }

    private static W.Table Table(params string[][] rows) =>
        new([.. rows.Select(cells => new W.TableRow([.. cells.Select(c => new W.TableCell(new W.Paragraph(new W.Run(new W.Text(c)))))]))]);
}
