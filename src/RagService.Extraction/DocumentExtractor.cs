using RagService.Core.Documents;
using RagService.Extraction.Docx;
using RagService.Extraction.Html;
using RagService.Extraction.Markdown;
using RagService.Extraction.Ocr;
using RagService.Extraction.Pdf;
using RagService.Extraction.Processes;
using RagService.Extraction.Text;

namespace RagService.Extraction;

/// <summary>
/// The service's <see cref="IDocumentExtractor"/>: sniffs the format, dispatches to the extractor for it and checks
/// the result (no text → Unreadable, too much text → TooLarge).
/// </summary>
public sealed class DocumentExtractor : IDocumentExtractor
{
    private readonly ExtractionOptions _options;
    private readonly Dictionary<SourceFormat, IFormatExtractor> _extractors;

    /// <summary>All formats, with the given limits (defaults when null).</summary>
    public DocumentExtractor(ExtractionOptions? options = null)
        : this(options ??= new ExtractionOptions(), DefaultExtractors(options))
    {
    }

    /// <summary>With an explicit set of per-format extractors (one per <see cref="SourceFormat"/>).</summary>
    public DocumentExtractor(ExtractionOptions options, IEnumerable<IFormatExtractor> extractors)
    {
        options.Validate();
        _options = options;
        _extractors = extractors.ToDictionary(e => e.Format);
    }

    /// <summary>One extractor per supported format, sharing one child-process runner and OCR engine.</summary>
    public static IEnumerable<IFormatExtractor> DefaultExtractors(ExtractionOptions options)
    {
        var runner = new ChildProcessRunner(options);
        var ocr = new TesseractOcr(options, runner);
        return
        [
            new PlainTextExtractor(),
            new MarkdownExtractor(options),
            new HtmlExtractor(options),
            new DocxExtractor(options),
            new PdfExtractor(options, runner, ocr),
            new ImageExtractor(options, ocr),
        ];
    }

    public Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, CancellationToken cancellationToken) =>
        ExtractAsync(content, fileName, contentType, onSniffed: null, cancellationToken);

    /// <summary>
    /// As <see cref="ExtractAsync(ReadOnlyMemory{byte}, string?, string?, CancellationToken)"/>, telling <paramref name="onSniffed"/> which extractor
    /// runs before it starts.
    /// </summary>
    public async Task<ExtractedDocument> ExtractAsync(ReadOnlyMemory<byte> content, string? fileName, string? contentType, Action<SourceFormat>? onSniffed, CancellationToken cancellationToken)
    {
        var sniffed = FormatSniffer.Sniff(content, fileName, contentType);
        onSniffed?.Invoke(sniffed.Format);
        try
        {
            return await ExtractSniffedAsync(content, fileName, sniffed, cancellationToken).ConfigureAwait(false);
        }
        catch (ExtractionException e) when (e.Extractor is null)
        {
            e.Extractor = ExtractorName(sniffed.Format);
            throw;
        }
    }

    /// <summary>The short name of the extractor for a format, as logs and <see cref="ExtractedDocument.Format"/> write it.</summary>
    public static string ExtractorName(SourceFormat format) => format.ToString().ToLowerInvariant();

    private async Task<ExtractedDocument> ExtractSniffedAsync(ReadOnlyMemory<byte> content, string? fileName, SniffResult sniffed, CancellationToken cancellationToken)
    {
        if (!_extractors.TryGetValue(sniffed.Format, out var extractor))
        {
            throw new ExtractionException($"Extraction of {sniffed.Format} files is not available on this server.", ExtractionFailure.UnsupportedFormat);
        }

        using var totalTimeout = new CancellationTokenSource(_options.TotalTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, totalTimeout.Token);
        ExtractedDocument document;
        try
        {
            document = await extractor.ExtractAsync(content, sniffed, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (totalTimeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ExtractionException($"Extraction took longer than {_options.TotalTimeout.TotalSeconds:0} s (Extraction:TotalTimeout); the document was not indexed.", ExtractionFailure.TimedOut);
        }

        // PDF pages are judged one by one inside the PDF extractor; DOCX and OCR text as a whole here.
        if (sniffed.Format is SourceFormat.Docx or SourceFormat.Image
            && TextLayerJudge.WhyUnreadable(document.FullText, _options.MaxUnreadableCharShare) is { } unreadable)
        {
            throw new ExtractionException($"The {document.Format} file's text is unreadable: {unreadable}.", ExtractionFailure.Unreadable);
        }

        var chars = document.Blocks.Sum(b => (long)b.Text.Length);
        if (chars == 0)
        {
            throw new ExtractionException($"No text was found in the {document.Format} file.", ExtractionFailure.Unreadable);
        }

        if (chars > _options.MaxExtractedChars)
        {
            throw new ExtractionException($"The document holds {chars} characters of text; the limit is {_options.MaxExtractedChars} (Extraction:MaxExtractedChars).", ExtractionFailure.TooLarge);
        }
        // A plain text file without a title line is titled by its file name.
        if (document.Title is null && sniffed.Format == SourceFormat.Text && !string.IsNullOrWhiteSpace(Path.GetFileNameWithoutExtension(fileName)))
        {
            document = document with { Title = Path.GetFileNameWithoutExtension(fileName) };
        }

        return document;
    }
}
