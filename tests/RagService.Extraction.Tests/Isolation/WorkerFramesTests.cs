using RagService.Core.Documents;
using RagService.Extraction.Isolation;

namespace RagService.Extraction.Tests.Isolation;

/// <summary>The binary frames between service and worker carry every field of a document, a request and an error unchanged.</summary>
public sealed class WorkerFramesTests
{
    private static (WorkerFrameKind Kind, byte[] Payload) Parse(params byte[][] written)
    {
        using var pipe = new MemoryStream(written.SelectMany(b => b).ToArray());
        var frame = WorkerFrames.ReadBlocking(pipe) ?? throw new InvalidDataException("no frame");
        Assert.Null(WorkerFrames.ReadBlocking(pipe)); // exactly one frame was written
        return frame;
    }

    [Fact]
    public void A_document_crosses_unchanged()
    {
        var document = new ExtractedDocument(null,
            [new DocumentBlock(BlockKind.Heading, "第一章 概述", 1, 1), new DocumentBlock(BlockKind.Paragraph, "Pumps need oil.\nEvery 300 h."), new DocumentBlock(BlockKind.Table, "a | b", 0, 12)],
            "pdf")
        {
            Report = new Dictionary<string, string> { ["extraction.textLayer"] = "pdfpig", ["extraction.ocrPages"] = "2,5" },
            Warnings = ["page 3: the text layer is unreadable"],
        };

        var (kind, payload) = Parse(WorkerFrames.Document(document));
        var read = WorkerFrames.ReadDocument(payload);

        Assert.Equal(WorkerFrameKind.Document, kind);
        Assert.Null(read.Title);
        Assert.Equal("pdf", read.Format);
        Assert.Equal(document.Blocks, read.Blocks);
        Assert.Equal(document.Report.OrderBy(p => p.Key), read.Report.OrderBy(p => p.Key));
        Assert.Equal(document.Warnings, read.Warnings);
    }

    [Theory]
    [InlineData(10)]        // inside the request frame
    [InlineData(100_000)]   // written after the frame's head
    public void A_request_carries_the_file_bytes_inline_or_after_its_head(int inlineBytes)
    {
        var content = Enumerable.Range(0, 5000).Select(i => (byte)i).ToArray();
        var request = new WorkerRequest("手册.pdf", null, 300, content);

        var (head, included) = WorkerFrames.Request(request, inlineBytes);
        var (kind, payload) = Parse(included ? [head] : [head, content]);
        var read = WorkerFrames.ReadRequest(payload);

        Assert.Equal(inlineBytes >= content.Length, included);
        Assert.Equal(WorkerFrameKind.Request, kind);
        Assert.Equal("手册.pdf", read.FileName);
        Assert.Null(read.ContentType);
        Assert.Equal(300, read.CpuSeconds);
        Assert.Equal(content, read.Content.ToArray());
    }

    [Fact]
    public void An_error_crosses_unchanged()
    {
        var error = new WorkerError("Unreadable", "The PDF is encrypted.", null);

        var (kind, payload) = Parse(WorkerFrames.Error(error));

        Assert.Equal(WorkerFrameKind.Error, kind);
        Assert.Equal(error, WorkerFrames.ReadError(payload));
    }

    [Fact]
    public async Task Every_warm_up_document_is_read_by_the_in_process_parsers()
    {
        var extractor = new DocumentExtractor();
        foreach (var (name, text) in WarmUpDocuments.Documents)
        {
            var document = await extractor.ExtractAsync(System.Text.Encoding.UTF8.GetBytes(text), name, null, CancellationToken.None);
            Assert.Contains("Pumps need", document.FullText);
            Assert.False(document.Report.ContainsKey("extraction.fallbackReason"), name); // the PDF is read by PdfPig, no tool starts
        }
    }
}
