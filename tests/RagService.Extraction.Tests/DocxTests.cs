using System.IO.Compression;
using RagService.Core.Documents;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests;

public class DocxTests
{
    [Fact]
    public async Task Headings_lists_and_tables_are_recognised()
    {
        var doc = await new DocumentExtractor().ExtractAsync(DocxFixture.Manual(), "manual.docx", null, CancellationToken.None);

        Assert.Equal("docx", doc.Format);
        Assert.Equal("XYZ-123 维护手册", doc.Title);
        var expected = new (BlockKind, string, int)[]
        {
            (BlockKind.Heading, "XYZ-123 维护手册", 1),
            (BlockKind.Heading, "第一章 概述", 1),
            (BlockKind.Paragraph, "本设备的额定电压为 220V，最大功率为 1500W。", 0),
            (BlockKind.Heading, "1.1 安全须知", 2),
            (BlockKind.ListItem, "断开电源", 0),
            (BlockKind.ListItem, "等待五分钟", 0),
            (BlockKind.Heading, "Appendix by outline level", 1),
            (BlockKind.Table, "参数 | 数值\n电压 | 220V\n功率 | 1500W", 0),
            (BlockKind.Paragraph, "Text after the table.", 0),
        };
        Assert.Equal(expected, doc.Blocks.Select(b => (b.Kind, b.Text, b.HeadingLevel)).ToArray());
    }

    [Fact]
    public async Task Decompression_bomb_is_refused_as_too_large()
    {
        var bomb = WithExtraEntry(DocxFixture.Manual(), "word/media/bomb.bin", 64 * 1024 * 1024);
        Assert.True(bomb.Length < 1024 * 1024, "the fixture should be a small file that inflates a lot");
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxDocxUncompressedBytes = 16 * 1024 * 1024 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(bomb, "bomb.docx", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("MaxDocxUncompressedBytes", ex.Message);
    }

    [Fact]
    public async Task Bomb_with_lying_size_headers_is_refused()
    {
        // document.xml inflates to 64 MiB but its headers claim 1 KiB: the reader must not trust the inflated stream.
        var docx = DocxFixture.Manual();
        var bomb = LieAboutSizes(WithPaddedEntry(docx, "word/document.xml", 64 * 1024 * 1024), "word/document.xml");
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxDocxUncompressedBytes = 16 * 1024 * 1024 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(bomb, "bomb.docx", null, CancellationToken.None));

        Assert.Contains(ex.Failure, new[] { ExtractionFailure.TooLarge, ExtractionFailure.Unreadable });
    }

    [Fact]
    public async Task Too_many_entries_is_refused()
    {
        var bytes = DocxFixture.Manual();
        var extractor = new DocumentExtractor(new ExtractionOptions { MaxDocxEntries = 3 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => extractor.ExtractAsync(bytes, "many.docx", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("MaxDocxEntries", ex.Message);
    }

    [Fact]
    public async Task Truncated_docx_is_unreadable()
    {
        var bytes = DocxFixture.Manual();
        var truncated = bytes[..(bytes.Length / 2)];

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(truncated, "cut.docx", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("damaged", ex.Message);
    }

    private static byte[] WithExtraEntry(byte[] docx, string name, int zeroBytes)
    {
        using var ms = new MemoryStream();
        ms.Write(docx);
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var chunk = new byte[1024 * 1024];
            for (var i = 0; i < zeroBytes / chunk.Length; i++)
            {
                stream.Write(chunk);
            }
        }
        return ms.ToArray();
    }

    // Replaces an entry by its own content followed by trailing whitespace (still well-formed XML).
    private static byte[] WithPaddedEntry(byte[] docx, string name, int padding)
    {
        using var ms = new MemoryStream();
        ms.Write(docx);
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Update, leaveOpen: true))
        {
            var old = zip.GetEntry(name)!;
            byte[] original;
            using (var src = old.Open())
            using (var copy = new MemoryStream())
            {
                src.CopyTo(copy);
                original = copy.ToArray();
            }
            old.Delete();
            using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            stream.Write(original);
            var chunk = new byte[1024 * 1024];
            Array.Fill(chunk, (byte)' ');
            for (var i = 0; i < padding / chunk.Length; i++)
            {
                stream.Write(chunk);
            }
        }
        return ms.ToArray();
    }

    // Rewrites the uncompressed size of one entry to 1 KiB in its local header and in the central directory.
    private static byte[] LieAboutSizes(byte[] zip, string name)
    {
        var nameBytes = System.Text.Encoding.ASCII.GetBytes(name);
        for (var i = 0; i + 46 < zip.Length; i++)
        {
            var sig = BitConverter.ToUInt32(zip, i);
            if (sig == 0x04034b50 && zip.AsSpan(i + 30).StartsWith(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 22, 4), 1024u);
            }
            else if (sig == 0x02014b50 && zip.AsSpan(i + 46).StartsWith(nameBytes))
            {
                BitConverter.TryWriteBytes(zip.AsSpan(i + 24, 4), 1024u);
            }
        }
        return zip;
    }
}
