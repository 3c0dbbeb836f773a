namespace RagService.Extraction;

/// <summary>Limits and tool locations for document extraction. Bound from the "Extraction" configuration section.</summary>
public sealed record ExtractionOptions
{
    public const string SectionName = "Extraction";

    /// <summary>Bound for one whole extraction (all tool runs and OCR pages together).</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Bound for parsing HTML or Markdown in process (hostile nesting makes parsers quadratic).</summary>
    public TimeSpan ParseTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>PDFs with more pages are refused (TooLarge).</summary>
    public int MaxPdfPages { get; init; } = 2000;

    /// <summary>Wall-clock bound for each pdfinfo/pdftotext run over a whole PDF.</summary>
    public TimeSpan PdfTimeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Which engine reads a PDF's text layer: PdfPig in process (default; poppler is its fallback) or poppler only.</summary>
    public PdfTextLayer PdfTextLayer { get; init; } = PdfTextLayer.PdfPig;

    /// <summary>Wall-clock bound for PdfPig reading and laying out one page; a page past it sends the whole PDF to poppler.</summary>
    public TimeSpan PdfPigPageTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// PDFs larger than this are not parsed in process (PdfPig holds the file and its objects in memory) but by poppler under the child memory limit.
    /// </summary>
    public long MaxPdfPigBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>A page with more glyphs than this is not laid out in process (layout analysis is superlinear); the PDF goes to poppler.</summary>
    public int MaxPdfPigPageLetters { get; init; } = 60_000;

    /// <summary>When more than this share of PdfPig's characters is invalid (U+FFFD, control, private use), the PDF goes to poppler.</summary>
    public double MaxPdfPigInvalidCharShare { get; init; } = 0.2;

    /// <summary>
    /// A text layer (PDF page from PdfPig or poppler, OCR output, DOCX text) with a larger share of control,
    /// private-use or replacement characters is unreadable: the next fallback runs (OCR), or the file is refused.
    /// </summary>
    public double MaxUnreadableCharShare { get; init; } = 0.2;

    /// <summary>Wall-clock bound for rendering and OCR of one page or image.</summary>
    public TimeSpan OcrTimeoutPerPage { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>At most this many image-only PDF pages are OCRed; more are refused (TooLarge) rather than silently skipped.</summary>
    public int MaxOcrPages { get; init; } = 50;

    /// <summary>A PDF page with fewer non-whitespace characters than this is treated as scanned and OCRed.</summary>
    public int MinPdfPageTextChars { get; init; } = 10;

    /// <summary>Resolution for rendering scanned PDF pages before OCR.</summary>
    public int OcrDpi { get; init; } = 300;

    /// <summary>PNG/JPEG images with more pixels (width × height, read from the header) are refused (TooLarge) before OCR.</summary>
    public long MaxImagePixels { get; init; } = 100_000_000;

    /// <summary>Tesseract language list.</summary>
    public string OcrLanguages { get; init; } = "chi_sim+eng";

    /// <summary>Virtual memory (address space) limit applied to every child process via prlimit --as; 0 disables it.</summary>
    public long ChildProcessMemoryLimitBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Sum of the real (decompressed) sizes of all DOCX zip entries; larger archives are refused (TooLarge).</summary>
    public long MaxDocxUncompressedBytes { get; init; } = 200L * 1024 * 1024;

    /// <summary>DOCX archives with more zip entries are refused (TooLarge).</summary>
    public int MaxDocxEntries { get; init; } = 2000;

    /// <summary>At most this many child processes (pdftotext, pdftoppm, tesseract) run at once; further extractions wait their turn.</summary>
    public int MaxConcurrentChildProcesses { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Extracted text longer than this many characters is refused (TooLarge).</summary>
    public int MaxExtractedChars { get; init; } = 20_000_000;

    public string PdfToTextPath { get; init; } = "pdftotext";
    public string PdfInfoPath { get; init; } = "pdfinfo";
    public string PdfToPpmPath { get; init; } = "pdftoppm";
    public string TesseractPath { get; init; } = "tesseract";

    /// <summary>util-linux prlimit, used to apply <see cref="ChildProcessMemoryLimitBytes"/>; when not found, no memory limit is applied.</summary>
    public string PrlimitPath { get; init; } = "prlimit";

    /// <summary>util-linux setsid, used to give each child its own process group so that the whole tree can be killed.</summary>
    public string SetsidPath { get; init; } = "setsid";

    /// <summary>Parent directory for private per-extraction temp directories; null = the system temp directory.</summary>
    public string? TempDirectory { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting when a PDF text-layer bound is out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(PdfTextLayer))
        {
            throw new ArgumentException($"{SectionName}:{nameof(PdfTextLayer)} must be PdfPig or Poppler.");
        }

        if (PdfPigPageTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{SectionName}:{nameof(PdfPigPageTimeout)} must be positive, not {PdfPigPageTimeout}.");
        }

        if (MaxPdfPigBytes <= 0)
        {
            throw new ArgumentException($"{SectionName}:{nameof(MaxPdfPigBytes)} must be positive, not {MaxPdfPigBytes}.");
        }

        if (MaxPdfPigPageLetters <= 0)
        {
            throw new ArgumentException($"{SectionName}:{nameof(MaxPdfPigPageLetters)} must be positive, not {MaxPdfPigPageLetters}.");
        }

        if (MaxUnreadableCharShare is < 0 or > 1 || double.IsNaN(MaxUnreadableCharShare))
        {
            throw new ArgumentException($"{SectionName}:{nameof(MaxUnreadableCharShare)} must be between 0 and 1, not {MaxUnreadableCharShare}.");
        }

        if (MaxPdfPigInvalidCharShare is < 0 or > 1 || double.IsNaN(MaxPdfPigInvalidCharShare))
        {
            throw new ArgumentException($"{SectionName}:{nameof(MaxPdfPigInvalidCharShare)} must be between 0 and 1, not {MaxPdfPigInvalidCharShare}.");
        }
    }
}

/// <summary>Engine for the text layer of PDFs.</summary>
public enum PdfTextLayer
{
    /// <summary>PdfPig in process: layout, headings from fonts and outline, running headers/footers removed; poppler as fallback.</summary>
    PdfPig,

    /// <summary>poppler's pdftotext only: paragraphs per page, no headings.</summary>
    Poppler,
}
