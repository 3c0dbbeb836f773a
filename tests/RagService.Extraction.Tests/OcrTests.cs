using System.Diagnostics;
using RagService.Core.Documents;
using RagService.Extraction.Ocr;
using RagService.Extraction.Tests.Fixtures;
using RagService.Extraction.Text;
using Xunit.Abstractions;

namespace RagService.Extraction.Tests;

public class OcrTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Png_with_chinese_text_is_ocred_without_spaces_between_characters()
    {
        var png = PdfFixture.TextPng("产品型号：AB-9000\n保修期为三年，售后电话见背面。");

        var watch = Stopwatch.StartNew();
        var doc = await new DocumentExtractor().ExtractAsync(png, "photo.txt", null, CancellationToken.None);
        watch.Stop();

        Assert.Equal("image", doc.Format);
        Assert.Contains("保修期为三年", doc.FullText);
        Assert.Contains("AB-9000", doc.FullText);
        Assert.All(doc.Blocks, b => Assert.Null(b.Page));
        output.WriteLine($"THROUGHPUT OCR: one {png.Length / 1024} KiB PNG (1240x333 px, 16 pt text at 150 dpi) in {watch.Elapsed.TotalSeconds:0.00} s");
    }

    [Fact]
    public async Task Image_without_text_is_unreadable()
    {
        var blank = PdfFixture.TextPng("");

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(blank, "blank.png", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
        Assert.Contains("No text", ex.Message);
    }

    [Fact]
    public async Task Truncated_png_is_unreadable()
    {
        var png = PdfFixture.TextPng("截断的图片");

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(png.AsMemory(0, png.Length / 3), "cut.png", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Unreadable, ex.Failure);
    }

    [Fact]
    public async Task Pixel_bomb_png_is_refused_before_decoding()
    {
        // Only a header: 100 000 × 100 000 pixels would need 10 GB once decoded.
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R', 0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0, 1, 0, 0, 0, 0, 0, 0, 0, 0];

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor().ExtractAsync(png, "bomb.png", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("MaxImagePixels", ex.Message);
    }

    [Fact]
    public void Jpeg_frame_size_is_read_past_app_segments()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,
            0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
            0xFF, 0xC0, 0, 17, 8, 0x10, 0x00, 0x20, 0x00, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
        ];

        Assert.Equal((8192L, 4096L), ImageDimensions.TryRead(jpeg));
    }

    [Theory]
    [InlineData("保 修 期 为 三 年", "保修期为三年")]
    [InlineData("型 号 AB-9000 的 功 率", "型号 AB-9000 的功率")]
    [InlineData("价 格 ： 一 百 元 。", "价格：一百元。")]
    [InlineData("plain English words", "plain English words")]
    public void Spaces_between_cjk_characters_are_removed(string ocr, string expected)
    {
        Assert.Equal(expected, CjkText.RemoveSpacesBetweenCjk(ocr));
    }
}
