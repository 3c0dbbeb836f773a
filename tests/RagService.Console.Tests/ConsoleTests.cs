using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using RagService.Api.Tests.Hardening;
using RagService.Core.Models;
using RagService.Api.Tests;
using RagService.Extraction.Tests.Fixtures;
using Xunit.Abstractions;

namespace RagService.Console.Tests;

/// <summary>The web console in a real Chromium against the real service on Kestrel and a local OpenAI-compatible endpoint.</summary>
public sealed class ConsoleTests(ITestOutputHelper output)
{
    private const string Question = "设备的额定电压是多少？";

    /// <summary>Four space-separated pieces: the fake endpoint streams one token per piece.</summary>
    private const string Reply = "额定电压为 220V [1]。 来源：维护手册";

    private const string DocxName = "manual-zh.docx";
    private const string PdfName = "warranty-en.pdf";
    private const string ArchivedDocument = "faq/returns.md";
    private const string PdfText = "Warranty terms\n\nThe warranty covers parts and labour for two years from the date of purchase.";

    [Fact]
    public async Task An_admin_signs_in_builds_a_knowledge_base_asks_in_Chinese_inspects_the_ranking_and_signs_out()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = Reply;
        await using var host = await ServiceHost.StartAsync([.. EmbeddingOnly(), $"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0"]);
        using var browser = ConsoleBrowser.Open(host.Client.BaseAddress!.ToString(), language: "zh-CN");

        // The UI follows the browser's language; the switch changes it.
        Assert.Equal("登录", browser.Visible("#signin-title").Text);
        Assert.Contains("data/bootstrap-admin.key", browser.Visible("#signin-runsh").Text);
        browser.Select("#lang", "en");
        Assert.Equal("Sign in", browser.Visible("#signin-title").Text);
        Assert.Equal("Started with ./run.sh? It wrote an admin key to data/bootstrap-admin.key in the repository folder (cat data/bootstrap-admin.key).",
            browser.Visible("#signin-runsh").Text);

        browser.Type("#apikey", ServiceHost.BootstrapKey);
        browser.Click("#signin");
        browser.Until(d => browser.Id("who").Text.Contains("admin", StringComparison.Ordinal), "the signed-in caller");
        Assert.Equal(ServiceHost.BootstrapKey, browser.SessionKey());

        // Create a knowledge base and upload a Chinese DOCX, an English PDF and a folder archive (a sync job) at once.
        browser.Click("#tab-kb");
        browser.Type("#kb-new-name", "manuals");
        browser.Click("#kb-create");
        browser.Until(d => browser.Id("kb-detail-title").Text == "manuals", "the new knowledge base to open");
        var files = WriteFixtures();
        browser.Id("file-input").SendKeys(string.Join("\n", files));
        browser.Until(d => browser.All("#uploads li[data-state='done']").Count == 3, "the three uploads to finish");
        var jobId = browser.Read("#uploads li[data-job]", e => e.GetDomAttribute("data-job") ?? "");
        browser.Until(d => browser.All($"#jobs li[data-job='{jobId}'][data-state='succeeded']").Count == 1, "the sync job to succeed in the jobs list");
        browser.Until(d => browser.All("#docs tbody tr[data-document]").Count == 3, "the documents table to list the three documents");
        Assert.Equal("3", browser.Css("[data-stat='stats.documents']").Text);
        Assert.Single(browser.All($"#docs tr[data-document='{ArchivedDocument}']"));

        // Open the PDF: its chunk is the text PDFsharp drew.
        browser.Css($"#docs tr[data-document='{PdfName}'] .open-doc").Click();
        browser.Until(d => browser.Id("chunks").Text.Contains("two years from the date of purchase", StringComparison.Ordinal), "the PDF's chunks");
        Report("knowledge-base page", browser.Screenshot("knowledge-base"));

        // Ask in Chinese: the answer streams in token by token, and [1] opens the DOCX's card.
        browser.Click("#tab-ask");
        browser.Select("#ask-collection", "manuals");
        browser.Type("#question", Question);
        browser.Click("#ask-submit");
        browser.Until(d => browser.Id("answer").GetDomAttribute("data-state") == "done", "the streamed answer");
        Assert.Equal("4", browser.Id("answer").GetDomAttribute("data-tokens"));
        Assert.Equal(Reply, browser.Id("answer").Text.TrimEnd());   // the fake sends each piece with a trailing space
        Assert.Null(browser.Css("#source-1 details").GetDomAttribute("open"));
        browser.Click("#answer a.cite[data-source='1']");
        browser.Until(d => browser.Css("#source-1 details").GetDomAttribute("open") is not null, "source card 1 to open");
        Assert.Equal(DocxName, browser.Css("#source-1").GetDomAttribute("data-document"));
        Assert.Contains("selected", browser.Css("#source-1").GetDomAttribute("class"));
        Assert.Contains("额定电压", browser.Css("#source-1 blockquote").Text);
        Assert.NotEmpty(browser.All("#source-1 blockquote mark"));
        // The card says what the source was assembled from: its hits (#1 first) and its tokens.
        Assert.Matches(@"^hits? #1\b.* · \d+ tokens$", browser.Css("#source-1 dd.assembled").Text);
        Report("ask page", browser.Screenshot("ask"));

        // The inspector: hybrid ran, so candidates carry dense ranks and fusion scores; BM25-only drops them.
        Assert.Equal("Prompt sent to the LLM", browser.Css("#prompt-summary").Text);
        browser.Click("#open-inspector");
        browser.Until(d => browser.Id("inspector").GetDomAttribute("data-state") == "done", "the inspector's first run");
        // The fusion menu offers the service's default, calibrated, and starts on it.
        Assert.Equal(["calibrated", "rrf", "weighted"], browser.All("#insp-fusion option").Select(o => o.GetDomAttribute("value")));
        Assert.Equal("calibrated", browser.Id("insp-fusion").GetDomProperty("value"));
        Assert.Equal("hybrid", browser.Id("inspector").GetDomAttribute("data-mode"));
        var hybridRows = browser.All("#insp-candidates tbody tr");
        var chunks = (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections/manuals")).GetProperty("chunks").GetInt32();
        Assert.Equal(chunks, hybridRows.Count);   // the dense side returns every chunk of a collection smaller than its 100 candidates
        Assert.All(browser.All("#insp-candidates .dense-rank"), c => Assert.NotEqual("–", c.Text));
        Assert.Equal("ok", browser.Css("#insp-stages tr[data-stage='fusion']").GetDomAttribute("data-status"));

        browser.Select("#insp-mode", "bm25");
        browser.Click("#insp-rerun");
        browser.Until(d => browser.Id("inspector").GetDomAttribute("data-mode") == "bm25", "the BM25-only rerun");
        Assert.Equal("skipped", browser.Css("#insp-stages tr[data-stage='dense']").GetDomAttribute("data-status"));
        Assert.Equal("lucene", browser.Css("#insp-stages tr[data-stage='bm25'] td:nth-of-type(4)").Text);
        var bm25Ranks = browser.All("#insp-candidates .bm25-rank").Select(c => c.Text).ToList();
        Assert.Equal(Enumerable.Range(1, bm25Ranks.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), bm25Ranks);
        Assert.All(browser.All("#insp-candidates .dense-rank"), c => Assert.Equal("–", c.Text));
        Assert.True(bm25Ranks.Count < hybridRows.Count, "the English PDF shares no term with the Chinese question, so BM25 alone does not return it");
        browser.Driver.ExecuteScript("document.getElementById('inspector').scrollIntoView()");
        Report("retrieval inspector", browser.Screenshot("inspector"));

        // Delete the PDF (with confirmation); the DOCX stays.
        browser.Click("#tab-kb");
        browser.Css($"#docs tr[data-document='{PdfName}'] .delete-doc").Click();
        browser.Visible("#confirm");
        browser.Click("#confirm-ok");
        browser.Until(d => browser.All("#docs tbody tr[data-document]").Count == 2, "the document to be deleted");
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/v1/collections/manuals/documents/{PdfName}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync($"/v1/collections/manuals/documents/{DocxName}")).StatusCode);

        // Sign out: the key leaves sessionStorage and the sign-in form is back.
        browser.Click("#signout");
        browser.Visible("#signin-title");
        Assert.Null(browser.SessionKey());
        Assert.False(browser.Id("view-ask").Displayed);
        browser.Driver.Navigate().Refresh();
        Assert.True(browser.Visible("#signin-form").Displayed);
    }

    [Fact]
    public async Task A_reader_key_can_ask_but_sees_no_upload_create_or_delete()
    {
        await using var host = await ServiceHost.StartAsync();
        await host.CreateCollectionAsync("shared");
        await host.IngestAsync("shared", new { id = "prices.md", title = "Prices", text = "# Prices\n\nThe cheese pizza costs 26 yuan." });
        var created = await host.Client.PostAsJsonAsync("/v1/keys", new { client = "console-reader", role = "reader" });
        var readerKey = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var browser = ConsoleBrowser.Open(host.Client.BaseAddress!.ToString());

        browser.Type("#apikey", readerKey);
        browser.Click("#signin");
        browser.Until(d => browser.Id("who").Text.Contains("reader", StringComparison.Ordinal), "the signed-in reader");
        browser.Click("#tab-kb");
        browser.Click("#kb-list button[data-collection='shared']");
        browser.Until(d => browser.All("#docs tbody tr[data-document]").Count == 1, "the reader to see the document list");

        Assert.False(browser.Id("dropzone").Displayed);
        Assert.False(browser.Id("kb-create-form").Displayed);
        Assert.False(browser.Id("kb-delete").Displayed);
        Assert.Empty(browser.All("#docs .delete-doc"));

        // Without an LLM the ask page shows the sources and the prompt instead of an answer.
        browser.Click("#tab-ask");
        browser.Type("#question", "How much is the cheese pizza?");
        browser.Click("#ask-submit");
        browser.Until(d => browser.Id("answer").GetDomAttribute("data-state") == "done", "the answer without an LLM");
        Assert.Equal("not configured", browser.Id("answer").GetDomAttribute("data-llm"));
        Assert.Equal("prices.md", browser.Css("#source-1").GetDomAttribute("data-document"));
        // Nothing was sent: the prompt is offered collapsed, as what would be sent.
        Assert.Equal("Prompt that would be sent to the LLM (not sent)", browser.Css("#prompt-summary").Text);
        Assert.Null(browser.Id("prompt-box").GetDomAttribute("open"));
        Assert.False(browser.Id("prompt").Displayed);
        Assert.Contains("How much is the cheese pizza?", browser.Id("prompt").GetDomProperty("textContent"));
        Assert.Equal("Sources", browser.Id("sources-title").Text);
    }

    [Fact]
    public async Task Problems_are_shown_in_words_a_person_understands()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.FailWithStatus = 500;
        await using var host = await ServiceHost.StartAsync($"--Llm:Url={llm.Url}", "--Llm:MaxRetries=0");
        await host.CreateCollectionAsync("docs");
        await host.IngestAsync("docs", new { id = "a.md", text = "The oven error E7 means the door is not closed." });
        using var browser = ConsoleBrowser.Open(host.Client.BaseAddress!.ToString(), width: 390, height: 844);   // a phone

        // A wrong key: the 401 in words, and nothing kept.
        browser.Type("#apikey", "not-a-key-0123456789");
        browser.Click("#signin");
        var alert = browser.Until(d => browser.Id("alert").Displayed ? browser.Id("alert").Text : null, "the sign-in failure")!;
        Assert.Contains("API key was not accepted", alert);
        Assert.Null(browser.SessionKey());

        // By keyboard: Enter signs in, Ctrl+Enter asks.
        browser.Type("#apikey", ServiceHost.BootstrapKey + Keys.Enter);
        browser.Until(d => browser.Id("who").Text.Contains("admin", StringComparison.Ordinal), "the signed-in admin");

        // The LLM fails: the 502 problem detail in words, never the upstream's own text.
        browser.Type("#question", "What does E7 mean?");
        browser.Id("question").SendKeys(Keys.Control + Keys.Enter);
        browser.Until(d => browser.Id("answer").GetDomAttribute("data-state") == "error", "the LLM failure");
        var shown = browser.Css("#answer .llm-error").Text;
        Assert.StartsWith("The language model failed.", shown);
        Assert.DoesNotContain(FakeLlmServer.UpstreamErrorText, shown);

        // A collection name the service refuses (upper case, spaces): the form says the service's rule and sends nothing.
        browser.Click("#tab-kb");
        foreach (var name in new[] { "MyKB", "no spaces allowed", "-dash-first" })
        {
            browser.Id("kb-new-name").Clear();
            browser.Type("#kb-new-name", name);
            browser.Click("#kb-create");
            Assert.Equal("Use 1 to 64 lower-case letters, digits, - or _, starting with a letter or digit (e.g. my-kb).", browser.Visible("#kb-name-error").Text);
        }

        Assert.Equal(["docs"], (await host.Client.GetFromJsonAsync<JsonElement>("/v1/collections")).EnumerateArray().Select(c => c.GetProperty("name").GetString()));
        browser.Id("kb-new-name").Clear();
        browser.Type("#kb-new-name", "my-kb");
        browser.Click("#kb-create");
        browser.Until(d => browser.Id("kb-detail-title").Text == "my-kb", "the valid name to be created");
        Assert.False(browser.Id("kb-name-error").Displayed);
    }

    [Fact]
    public async Task A_not_found_answer_is_said_plainly_and_the_LLM_is_not_asked()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        // A floor no cross-encoder score reaches: every question is "not found" (AskService skips the LLM).
        await using var host = await ServiceHost.StartAsync([.. TestModelDirectories.ServiceArguments(), $"--Llm:Url={llm.Url}", "--Rag:Retrieval:RelevanceFloor=1000000"]);
        await host.CreateCollectionAsync("fruit");
        await host.IngestAsync("fruit", new { id = "apples.md", text = "苹果是红色的水果，富含维生素。" });
        using var browser = ConsoleBrowser.Open(host.Client.BaseAddress!.ToString(), language: "zh-CN", width: 390, height: 844);

        browser.Type("#apikey", ServiceHost.BootstrapKey + Keys.Enter);
        browser.Until(d => browser.Id("who").Text.Contains("admin", StringComparison.Ordinal), "the signed-in admin");
        browser.Type("#question", "火星上有几座火山？");
        browser.Click("#ask-submit");
        browser.Until(d => browser.Id("answer").GetDomAttribute("data-state") == "done", "the not-found answer");

        Assert.Equal("skipped", browser.Id("answer").GetDomAttribute("data-llm"));
        Assert.Equal("未找到：知识库中没有足够相关的内容来回答这个问题。", browser.Css("#answer .not-found").Text);
        Assert.Empty(llm.Requests);
        // The passages it did find are not the answer's sources, and the prompt was never sent.
        Assert.Equal("最接近的段落（低于相关性阈值）", browser.Id("sources-title").Text);
        Assert.Equal("将发送给大模型的提示词（未发送）", browser.Css("#prompt-summary").Text);
        Assert.Null(browser.Id("prompt-box").GetDomAttribute("open"));
        Report("phone-sized not-found answer (Chinese UI)", browser.Screenshot("phone-not-found"));
    }

    [Fact]
    public async Task A_sync_job_shows_its_progress_live_until_it_finishes()
    {
        var embedder = new GatedEmbedder();
        // Every sync becomes a queued job (none runs inside the request), and the first document's embedding waits at the gate.
        await using var host = await ServiceHost.StartAsync(b => b.Services.AddSingleton<ITextEmbedder>(embedder), "--Rag:Sync:MaxSynchronousItems=0");
        await host.CreateCollectionAsync("notes");
        var zip = Path.Combine(Path.GetTempPath(), "ragsvc-console-" + Guid.NewGuid().ToString("N")[..8] + ".zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var (name, text) in new[] { ("a.md", "# A\n\nFirst note."), ("b.md", "# B\n\nSecond note.") })
            {
                using var entry = new StreamWriter(archive.CreateEntry(name).Open());
                entry.Write(text);
            }
        }

        using var browser = ConsoleBrowser.Open(host.Client.BaseAddress!.ToString());
        browser.Type("#apikey", ServiceHost.BootstrapKey + Keys.Enter);
        browser.Until(d => browser.Id("who").Text.Contains("admin", StringComparison.Ordinal), "the signed-in admin");
        browser.Click("#tab-kb");
        browser.Click("#kb-list button[data-collection='notes']");
        embedder.Arm();
        browser.Id("file-input").SendKeys(zip);
        await embedder.Entered;

        var jobId = browser.Read("#uploads li[data-job]", e => e.GetDomAttribute("data-job") ?? "");
        // Read value and max from one rendering of the item: the live list re-renders while the test looks.
        var running = browser.Read($"#jobs li[data-job='{jobId}'][data-state='running'] progress", p => $"{p.GetDomProperty("value")} of {p.GetDomAttribute("max")}");
        Assert.Equal("0 of 2", running);

        embedder.Open();
        Assert.Equal("2", browser.Read($"#jobs li[data-job='{jobId}'][data-state='succeeded'] progress", p => p.GetDomProperty("value") ?? ""));
        browser.Until(d => browser.All("#docs tbody tr[data-document]").Count == 2, "the synced documents in the table");
        File.Delete(zip);
    }

    private static string[] EmbeddingOnly() =>
    [
        $"--Rag:Embedding:ModelDirectory={TestModelDirectories.Embedder}", "--Rag:Embedding:MaxSequenceLength=64", "--Rag:Embedding:IntraOpThreads=1",
    ];

    private string[] WriteFixtures()
    {
        var dir = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "ragsvc-console-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var docx = Path.Combine(dir, DocxName);
        var pdf = Path.Combine(dir, PdfName);
        File.WriteAllBytes(docx, DocxFixture.Manual());
        File.WriteAllBytes(pdf, PdfFixture.TextPdf(PdfText));
        var zip = Path.Combine(dir, "faq.zip");
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        {
            using var entry = new StreamWriter(archive.CreateEntry(ArchivedDocument).Open());
            entry.Write("# Returns\n\nUnused items may be returned within 30 days.");
        }

        return [docx, pdf, zip];
    }

    private void Report(string what, string path)
    {
        output.WriteLine($"screenshot of the {what}: {path}");
    }
}
