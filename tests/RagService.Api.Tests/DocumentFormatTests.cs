using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Api.Tests;

/// <summary>Each supported format goes through upload → extraction → chunking → index, and a fact from it is found by search.</summary>
public sealed class DocumentFormatTests : IAsyncLifetime
{
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("docs");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private async Task<HttpResponseMessage> UploadAsync(byte[] content, string fileName, string? contentType = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        if (contentType is not null)
        {
            file.Headers.ContentType = new(contentType);
        }

        form.Add(file, "file", fileName);
        return await _host.Client.PostAsync("/v1/collections/docs/documents/upload", form);
    }

    private async Task<JsonElement> TopHitAsync(string query, string documentId)
    {
        var search = await _host.SearchAsync("docs", query, topK: 10, filter: new { documentIds = new[] { documentId } });
        var hits = search.GetProperty("hits");
        Assert.True(hits.GetArrayLength() > 0, $"nothing found for '{query}' in {documentId}");
        return hits[0];
    }

    [Fact]
    public async Task Pdf_text_pages_and_a_scanned_page_are_found_with_their_page_numbers()
    {
        var scan = PdfFixture.TextPng("扫描页：保修期为三年。\nWarranty: three years.");
        var pdf = PdfFixture.MixedPdf(scan, "第一页：安装说明。设备需要平放。", "第二页：客服热线是400-800-1234。", null);
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(pdf, "manual.pdf")).StatusCode);

        var hotline = await TopHitAsync("客服热线", "manual.pdf");
        Assert.Contains("400-800-1234", hotline.GetProperty("text").GetString());
        Assert.Equal(2, hotline.GetProperty("page").GetInt32());

        var warranty = await TopHitAsync("保修期", "manual.pdf");
        Assert.Contains("保修期为三年", warranty.GetProperty("text").GetString());
        Assert.Equal(3, warranty.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task Pdf_chunks_carry_heading_paths_and_pages_and_a_hit_cites_them()
    {
        // Printed by Chromium from HTML (tests/pdf-corpus): h1 title, h2 chapters each starting a new page, h3 sections.
        var pdf = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "pdf-corpus", "chromium", "zh-manual.pdf"));
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(pdf, "zh-manual.pdf")).StatusCode);

        var park = await TopHitAsync("乍都节公园", "zh-manual.pdf");
        Assert.Contains("乍都节公园", park.GetProperty("text").GetString());
        Assert.Equal(["游戏与城市资料手册", "第二章 历史", "2.1 背景"], park.GetProperty("headingPath").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(2, park.GetProperty("page").GetInt32());
        Assert.Equal("游戏与城市资料手册 › 第二章 历史 › 2.1 背景, p. 2", park.GetProperty("citation").GetString());

        var tennis = await TopHitAsync("网球运动员 佩内塔", "zh-manual.pdf");
        Assert.Equal("游戏与城市资料手册 › 第三章 地理, p. 3", tennis.GetProperty("citation").GetString());
        Assert.DoesNotContain("RagService 测试语料", tennis.GetProperty("text").GetString());

        var record = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/docs/documents/zh-manual.pdf");
        Assert.Equal("pdfpig", record.GetProperty("metadata").GetProperty("extraction.textLayer").GetString());
    }

    [Fact]
    public async Task Pdf_that_pdfpig_rejects_is_read_by_poppler_and_the_document_says_why()
    {
        var pdf = PdfFixture.PdfPigRejects("Fallback page text: the AB-9000 weighs 12 kg.");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(pdf, "odd.pdf")).StatusCode);

        var hit = await TopHitAsync("AB-9000 weighs", "odd.pdf");
        Assert.Contains("the AB-9000 weighs 12 kg.", hit.GetProperty("text").GetString());
        Assert.Equal("p. 1", hit.GetProperty("citation").GetString());

        var metadata = (await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/docs/documents/odd.pdf")).GetProperty("metadata");
        Assert.Equal("poppler", metadata.GetProperty("extraction.textLayer").GetString());
        Assert.Contains("InvalidFontFormatException", metadata.GetProperty("extraction.fallbackReason").GetString());
    }

    [Fact]
    public async Task Docx_headings_and_table_rows_reach_the_chunks()
    {
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(DocxFixture.Manual(), "manual.docx")).StatusCode);
        var voltage = await TopHitAsync("额定电压", "manual.docx");
        Assert.Contains("220V", voltage.GetProperty("text").GetString());
        Assert.Contains("第一章 概述", voltage.GetProperty("headingPath").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("XYZ-123 维护手册", voltage.GetProperty("title").GetString());

        var table = await TopHitAsync("功率 1500W 参数", "manual.docx");
        Assert.Contains("功率 | 1500W", table.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Html_boilerplate_is_not_indexed_but_the_main_content_is()
    {
        var html = """
            <html><head><title>退货政策</title><script>var tracking = "脚本专用词";</script></head>
            <body><nav>导航专用词 首页 关于我们</nav>
            <main><h1>退货政策</h1><p>收到商品七天内可以无理由退货。</p></main>
            <footer>页脚专用词 版权所有</footer></body></html>
            """;
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(Encoding.UTF8.GetBytes(html), "returns.html", "text/html")).StatusCode);
        Assert.Contains("七天内", (await TopHitAsync("无理由退货", "returns.html")).GetProperty("text").GetString());
        foreach (var boilerplate in new[] { "导航专用词", "页脚专用词", "脚本专用词" })
        {
            var texts = ServiceHost.HitTexts(await _host.SearchAsync("docs", boilerplate, topK: 20));
            Assert.DoesNotContain(texts, t => t.Contains(boilerplate, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Gbk_text_file_is_decoded()
    {
        var gbk = Encoding.GetEncoding(936).GetBytes("会员须知\n\n积分每满一百分可以兑换一杯奶茶。\n");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(gbk, "notice.txt", "text/plain")).StatusCode);
        Assert.Contains("兑换一杯奶茶", (await TopHitAsync("积分兑换", "notice.txt")).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Png_with_chinese_text_is_ocred()
    {
        var png = PdfFixture.TextPng("产品型号：AB-9000\n保修期为三年，售后电话见背面。");
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(png, "label.png")).StatusCode);
        Assert.Contains("AB-9000", (await TopHitAsync("AB-9000", "label.png")).GetProperty("text").GetString());
    }

    [Fact]
    public async Task Encrypted_and_truncated_pdfs_are_refused_and_nothing_is_written()
    {
        var encrypted = await UploadAsync(PdfFixture.EncryptedPdf("机密内容"), "secret.pdf");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, encrypted.StatusCode);
        Assert.Contains("encrypted", (await encrypted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);

        var pdf = PdfFixture.TextPdf("完整的文档内容。");
        var truncated = await UploadAsync(pdf[..(pdf.Length / 2)], "broken.pdf");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, truncated.StatusCode);

        var empty = await UploadAsync([], "empty.pdf");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        var documents = await _host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/docs/documents");
        Assert.DoesNotContain(documents.EnumerateArray(), d => d.GetProperty("id").GetString() is "secret.pdf" or "broken.pdf" or "empty.pdf");
    }
}
