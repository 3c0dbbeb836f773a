using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace RagService.Extraction.Tests.Fixtures;

/// <summary>
/// Generates hostile uploads of the kinds public malformed-file suites contain: parser stack exhaustion, decompression
/// bombs, pixel bombs, oversized page counts. Each is built from the format's specification, not copied from a corpus.
/// </summary>
internal static class HostileFiles
{
    /// <summary>A one-page PDF whose cross-reference stream declares a 27-digit field width (<c>/W [1 2 N]</c>).</summary>
    public static byte[] PdfWithOverflowingXrefStreamWidths()
    {
        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>");
        var xref = pdf.NextOffset;
        pdf.Stream("/Type /XRef /Size 5 /W [1 2 999999999999999999999999999] /Root 1 0 R", new byte[40]);
        return pdf.EndWithStartXref(xref);
    }

    /// <summary>A PDF whose page carries an array nested <paramref name="depth"/> levels deep.</summary>
    public static byte[] PdfNested(int depth)
    {
        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pdf.Object($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> /Contents 4 0 R /Annots {new string('[', depth)}{new string(']', depth)} >>");
        pdf.Stream("", Encoding.ASCII.GetBytes("BT /F1 12 Tf 72 720 Td (deep) Tj ET"));
        return pdf.EndWithTable();
    }

    /// <summary>A one-page PDF whose Flate content stream inflates to <paramref name="inflatedBytes"/> bytes of spaces.</summary>
    public static byte[] PdfFlateBomb(long inflatedBytes)
    {
        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var spaces = new byte[1 << 20];
            Array.Fill(spaces, (byte)' ');
            for (long left = inflatedBytes; left > 0; left -= spaces.Length)
            {
                z.Write(spaces, 0, (int)Math.Min(left, spaces.Length));
            }
        }

        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object("<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        pdf.Stream("/Filter /FlateDecode", compressed.ToArray());
        pdf.Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        return pdf.EndWithTable();
    }

    /// <summary>
    /// A one-page PDF showing <paramref name="text"/> in 24 pt Arial (not embedded) whose ToUnicode map sends every character to the
    /// private-use area: every text-layer reader gets garbage, only OCR of the rendered page reads it. With
    /// <paramref name="visible"/> false the text is drawn invisibly (render mode 3), so OCR finds nothing either. With
    /// <paramref name="readableFirstPage"/>, an ordinary Helvetica page comes first.
    /// </summary>
    public static byte[] PdfWithGarbledTextLayer(string text, bool visible = true, string? readableFirstPage = null)
    {
        const string cmap = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Garbled def "
            + "1 begincodespacerange <00> <FF> endcodespacerange 1 beginbfrange <20> <7E> <E020> endbfrange endcmap "
            + "CMapName currentdict /CMap defineresource pop end end";
        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        pdf.Object(readableFirstPage is null ? "<< /Type /Pages /Kids [3 0 R] /Count 1 >>" : "<< /Type /Pages /Kids [7 0 R 3 0 R] /Count 2 >>");
        pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 300] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>");
        pdf.Stream("", Encoding.ASCII.GetBytes($"BT /F1 24 Tf {(visible ? 0 : 3)} Tr 40 150 Td ({text}) Tj ET"));
        pdf.Object($"<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 32 /LastChar 126 /Widths [{string.Join(' ', Enumerable.Repeat(600, 95))}] /ToUnicode 6 0 R >>");
        pdf.Stream("", Encoding.ASCII.GetBytes(cmap));
        if (readableFirstPage is not null)
        {
            pdf.Object("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 300] /Resources << /Font << /F2 9 0 R >> >> /Contents 8 0 R >>");
            pdf.Stream("", Encoding.ASCII.GetBytes($"BT /F2 24 Tf 40 150 Td ({readableFirstPage}) Tj ET"));
            pdf.Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        }

        return pdf.EndWithTable();
    }

    /// <summary>A PDF of <paramref name="pages"/> pages, each saying "page N of the long report".</summary>
    public static byte[] PdfManyPages(int pages)
    {
        var pdf = new PdfWriter();
        pdf.Object("<< /Type /Catalog /Pages 2 0 R >>");
        var kids = string.Join(" ", Enumerable.Range(0, pages).Select(i => $"{4 + 2 * i} 0 R"));
        pdf.Object($"<< /Type /Pages /Kids [{kids}] /Count {pages} >>");
        pdf.Object("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
        for (var i = 0; i < pages; i++)
        {
            pdf.Object($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>");
            pdf.Stream("", Encoding.ASCII.GetBytes($"BT /F1 12 Tf 72 720 Td (Page {i + 1} of the long report about pumps.) Tj ET"));
        }

        return pdf.EndWithTable();
    }

    /// <summary>A DOCX whose body holds a content control nested <paramref name="depth"/> levels deep.</summary>
    public static byte[] DocxNested(int depth)
    {
        var body = new StringBuilder();
        body.Insert(0, "<w:sdt><w:sdtContent>", depth);
        body.Append("<w:p><w:r><w:t>deep</w:t></w:r></w:p>");
        body.Insert(body.Length, "</w:sdtContent></w:sdt>", depth);
        return Docx(DocumentXml(body.ToString()));
    }

    /// <summary>
    /// A DOCX whose document.xml inflates to <paramref name="inflatedBytes"/>; with <paramref name="lyingSizes"/> the zip
    /// headers claim 1 000 bytes instead.
    /// </summary>
    public static byte[] DocxZipBomb(long inflatedBytes, bool lyingSizes)
    {
        var head = Encoding.UTF8.GetBytes("<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>");
        var tail = Encoding.UTF8.GetBytes("</w:t></w:r></w:p></w:body></w:document>");
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddParts(zip);
            using var entry = zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            entry.Write(head);
            var filler = new byte[1 << 20];
            Array.Fill(filler, (byte)'a');
            for (long left = inflatedBytes - head.Length - tail.Length; left > 0; left -= filler.Length)
            {
                entry.Write(filler, 0, (int)Math.Min(left, filler.Length));
            }

            entry.Write(tail);
        }

        var bytes = ms.ToArray();
        if (lyingSizes)
        {
            RewriteDeclaredSize(bytes, "word/document.xml", 1000);
        }

        return bytes;
    }

    /// <summary>HTML with <paramref name="depth"/> nested <c>div</c> elements.</summary>
    public static byte[] HtmlNested(int depth) =>
        Encoding.UTF8.GetBytes("<!doctype html><html><body>" + new StringBuilder().Insert(0, "<div>", depth) + "deep" + new StringBuilder().Insert(0, "</div>", depth) + "</body></html>");

    /// <summary>A PNG header (signature + IHDR) declaring a <paramref name="width"/> × <paramref name="height"/> image; no pixel data.</summary>
    public static byte[] PngHeader(uint width, uint height)
    {
        var png = new byte[33];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }.CopyTo(png, 0);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(8), 13);
        "IHDR"u8.CopyTo(png.AsSpan(12));
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(20), height);
        png[24] = 8; // bit depth
        png[25] = 0; // greyscale
        return png;
    }

    /// <summary>A JPEG header (SOI + SOF0) declaring a <paramref name="width"/> × <paramref name="height"/> frame.</summary>
    public static byte[] JpegHeader(ushort width, ushort height)
    {
        var jpeg = new List<byte> { 0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8 };
        jpeg.AddRange([(byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 1, 1, 0x11, 0, 0xFF, 0xD9]);
        return jpeg.ToArray();
    }

    /// <summary>A little-endian TIFF whose first image declares <paramref name="width"/> × <paramref name="height"/> 8-bit grey pixels.</summary>
    public static byte[] TiffHeader(uint width, uint height)
    {
        var tiff = new byte[8 + 2 + 12 * 6 + 4];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 6);
        var at = 10;
        void Entry(ushort tag, ushort type, uint value)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at), tag);
            BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(at + 2), type);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 4), 1);
            BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(at + 8), value);
            at += 12;
        }

        Entry(256, 4, width);      // ImageWidth, LONG
        Entry(257, 4, height);     // ImageLength, LONG
        Entry(258, 3, 8);          // BitsPerSample
        Entry(262, 3, 1);          // Photometric: black is zero
        Entry(273, 4, 0);          // StripOffsets
        Entry(279, 4, width);      // StripByteCounts (a lie)
        return tiff;
    }

    private static string DocumentXml(string body) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" + body + "</w:body></w:document>";

    /// <summary>A minimal DOCX package around <paramref name="documentXml"/> (the whole word/document.xml).</summary>
    public static byte[] Docx(string documentXml)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddParts(zip);
            using var writer = new StreamWriter(zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open(), new UTF8Encoding(false));
            writer.Write(documentXml);
        }

        return ms.ToArray();
    }

    private static void AddParts(ZipArchive zip)
    {
        Write(zip, "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>");
        Write(zip, "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
            + "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/></Relationships>");
    }

    private static void Write(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }

    // Sets the uncompressed size of an entry in its local header and in the central directory.
    private static void RewriteDeclaredSize(byte[] zip, string name, uint size)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(i));
            if (signature == 0x04034b50 && zip.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            }
            else if (signature == 0x02014b50 && zip.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
            }
        }
    }
}
