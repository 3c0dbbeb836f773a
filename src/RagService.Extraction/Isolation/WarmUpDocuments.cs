using System.Text;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

/// <summary>
/// Small documents a fresh worker extracts before its first file, so that the parsers' code is compiled (JIT) when
/// the first upload arrives rather than while it waits. Only in-process parsers run (the PDF's text layer is
/// readable, so neither poppler nor OCR starts).
/// </summary>
internal static class WarmUpDocuments
{
    // One Helvetica page, written by hand with its cross-reference offsets.
    private const string Pdf = """
        %PDF-1.4
        1 0 obj
        << /Type /Catalog /Pages 2 0 R >>
        endobj
        2 0 obj
        << /Type /Pages /Kids [3 0 R] /Count 1 >>
        endobj
        3 0 obj
        << /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>
        endobj
        4 0 obj
        << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>
        endobj
        5 0 obj
        << /Length 101 >>
        stream
        BT /F1 14 Tf 20 150 Td (Warm-up) Tj ET BT /F1 10 Tf 20 120 Td (Pumps need oil every 300 hours.) Tj ET
        endstream
        endobj
        xref
        0 6
        0000000000 65535 f 
        0000000009 00000 n 
        0000000058 00000 n 
        0000000115 00000 n 
        0000000241 00000 n 
        0000000311 00000 n 
        trailer
        << /Size 6 /Root 1 0 R >>
        startxref
        463
        %%EOF
        """;

    public static readonly (string Name, string Text)[] Documents =
    [
        ("warm-up.pdf", Pdf + "\n"),
        ("warm-up.md", "# Warm-up\n\nPumps need *oil* every 300 hours.\n\n- check\n- 检查电压\n"),
        ("warm-up.html", "<html><head><title>Warm-up</title></head><body><main><h1>Warm-up</h1><p>Pumps need oil.</p></main></body></html>"),
        ("warm-up.txt", "Pumps need oil every 300 hours."),
    ];

    public static void Extract(DocumentExtractor extractor)
    {
        foreach (var (name, text) in Documents)
        {
            try
            {
                extractor.ExtractAsync(Encoding.UTF8.GetBytes(text), name, null, CancellationToken.None).GetAwaiter().GetResult();
            }
            catch (ExtractionException)
            {
                // Warming up only; a real file reports its own errors.
            }
        }
    }
}
