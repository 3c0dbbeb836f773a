using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using RagService.Core.Documents;
using RagService.Extraction.Text;

namespace RagService.Extraction;

/// <summary>What the sniffer found: the format and, for textual formats, the decoded text.</summary>
public sealed record SniffResult(SourceFormat Format, DecodedText? Text = null);

/// <summary>
/// Decides the format of an upload. A file with a text name (.txt, .md, .html, …) whose bytes are valid UTF-8 text is
/// text, whatever it mentions (a Markdown page about PDFs that quotes <c>%PDF-</c> near its top). Otherwise magic
/// bytes win: <c>%PDF-</c> anywhere in the first KiB is a PDF (readers accept junk before the header), then images,
/// DOCX. The file name and content type otherwise only choose between textual formats and make the error message
/// precise when a binary is misnamed.
/// </summary>
public static partial class FormatSniffer
{
    private const string Supported = "Supported formats: PDF, DOCX, HTML, Markdown, plain text (UTF-8/UTF-16/GB18030/GBK/Big5), PNG, JPEG, TIFF.";

    private static readonly Dictionary<string, SourceFormat> BinaryExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".pdf"] = SourceFormat.Pdf,
        [".docx"] = SourceFormat.Docx,
        [".png"] = SourceFormat.Image,
        [".jpg"] = SourceFormat.Image,
        [".jpeg"] = SourceFormat.Image,
        [".tif"] = SourceFormat.Image,
        [".tiff"] = SourceFormat.Image,
    };

    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".text", ".md", ".markdown", ".mdown", ".mkd", ".html", ".htm", ".xhtml", ".csv", ".tsv", ".log", ".rst", ".adoc",
    };

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [GeneratedRegex(@"charset\s*=\s*[""']?([A-Za-z0-9_\-:.]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Charset();

    [GeneratedRegex(@"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex HtmlStart();

    /// <summary>Identifies the format of <paramref name="content"/>; throws <see cref="ExtractionException"/> when it is none we read.</summary>
    public static SniffResult Sniff(ReadOnlyMemory<byte> contentMemory, string? fileName, string? contentType)
    {
        var content = contentMemory.Span;
        if (content.IsEmpty)
        {
            throw new ExtractionException("The file is empty (0 bytes).", ExtractionFailure.Unreadable);
        }

        var extension = Path.GetExtension(fileName ?? "");
        var mediaType = contentType?.Split(';')[0].Trim().ToLowerInvariant() ?? "";

        var namedText = TextExtensions.Contains(extension) && IsUtf8Text(content);
        if (!namedText && content[..Math.Min(content.Length, 1024)].IndexOf("%PDF-"u8) >= 0)
        {
            return new SniffResult(SourceFormat.Pdf);
        }

        if (!namedText && IsImage(content))
        {
            return new SniffResult(SourceFormat.Image);
        }

        if (!namedText && content.StartsWith("PK\u0003\u0004"u8))
        {
            return SniffZip(contentMemory, extension, mediaType);
        }

        if (content.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]))
        {
            throw new ExtractionException("Legacy binary Office files (.doc/.xls/.ppt) are not supported; save the file as DOCX. " + Supported, ExtractionFailure.UnsupportedFormat);
        }

        if (BinaryExtensions.TryGetValue(extension, out var claimed))
        {
            throw new ExtractionException($"The file is named '{Path.GetFileName(fileName)}' but its content is not {Describe(claimed)}. " + Supported, ExtractionFailure.UnsupportedFormat);
        }

        var hasBom = content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) || content.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || content.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]);
        if (!hasBom && LooksBinary(content))
        {
            throw new ExtractionException("The file is binary data of an unknown kind. " + Supported, ExtractionFailure.UnsupportedFormat);
        }

        var declaredCharset = CharsetOf(contentType) ?? MetaCharset(Encoding.Latin1.GetString(content[..Math.Min(content.Length, 2048)]));
        var text = TextDecoder.TryDecode(content, declaredCharset)
            ?? throw new ExtractionException("The text is not valid UTF-8, UTF-16 (with BOM), GB18030/GBK or Big5. Convert it to UTF-8.", ExtractionFailure.UnsupportedFormat);
        return new SniffResult(TextualFormat(text.Text, extension, mediaType), text);
    }

    private static SourceFormat TextualFormat(string text, string extension, string mediaType)
    {
        if (extension.ToLowerInvariant() is ".html" or ".htm" or ".xhtml" || mediaType is "text/html" or "application/xhtml+xml")
        {
            return SourceFormat.Html;
        }

        if (extension.ToLowerInvariant() is ".md" or ".markdown" or ".mdown" or ".mkd" || mediaType is "text/markdown" or "text/x-markdown")
        {
            return SourceFormat.Markdown;
        }

        var head = text.Length > 4096 ? text[..4096] : text;
        return HtmlStart().IsMatch(head) ? SourceFormat.Html : SourceFormat.Text;
    }

    private static SniffResult SniffZip(ReadOnlyMemory<byte> content, string extension, string mediaType)
    {
        var declaredDocx = extension.Equals(".docx", StringComparison.OrdinalIgnoreCase)
            || mediaType == "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
        try
        {
            using var zip = new ZipArchive(ReadOnlyStream.Of(content), ZipArchiveMode.Read);
            if (zip.GetEntry("word/document.xml") is not null)
            {
                return new SniffResult(SourceFormat.Docx);
            }
        }
        catch (InvalidDataException) when (declaredDocx)
        {
            throw new ExtractionException("The DOCX file is damaged or truncated (its zip directory cannot be read).", ExtractionFailure.Unreadable);
        }
        catch (InvalidDataException)
        {
            // A damaged archive that does not claim to be a DOCX: fall through to the generic message.
        }
        throw new ExtractionException("The file is a zip archive but not a DOCX document (no word/document.xml). " + Supported, ExtractionFailure.UnsupportedFormat);
    }

    private static bool IsImage(ReadOnlySpan<byte> c) =>
        c.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        || c.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || c.StartsWith("II*\0"u8)
        || c.StartsWith("MM\0*"u8);

    // Valid UTF-8 (a BOM allowed) without the NULs and control characters of binary data.
    private static bool IsUtf8Text(ReadOnlySpan<byte> content)
    {
        var body = content.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? content[3..] : content;
        if (LooksBinary(body))
        {
            return false;
        }

        try
        {
            _ = StrictUtf8.GetCharCount(body);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    // Text never holds NUL bytes (UTF-16 is only accepted with a BOM) and rarely other C0 controls.
    private static bool LooksBinary(ReadOnlySpan<byte> content)
    {
        var sample = content[..Math.Min(content.Length, 8192)];
        var controls = 0;
        foreach (var b in sample)
        {
            if (b == 0)
            {
                return true;
            }

            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B))
            {
                controls++;
            }
        }
        return controls * 100 > sample.Length;
    }

    private static string? CharsetOf(string? text) =>
        text is not null && Charset().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    // Only an HTML <meta> declares a charset inside the content; a UTF-16 declaration there is meaningless without a BOM.
    private static string? MetaCharset(string head) =>
        head.Contains("<meta", StringComparison.OrdinalIgnoreCase) && CharsetOf(head) is { } charset
            && !charset.StartsWith("utf-16", StringComparison.OrdinalIgnoreCase) && !charset.StartsWith("utf-32", StringComparison.OrdinalIgnoreCase)
            ? charset
            : null;

    private static string Describe(SourceFormat format) => format switch
    {
        SourceFormat.Pdf => "a PDF",
        SourceFormat.Docx => "a DOCX document",
        SourceFormat.Image => "a PNG, JPEG or TIFF image",
        _ => format.ToString(),
    };
}
