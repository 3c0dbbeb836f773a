using System.Text;
using RagService.Core.Documents;
using RagService.Extraction.Isolation;
using RagService.Extraction.Tests.Fixtures;

namespace RagService.Extraction.Tests.Isolation;

/// <summary>
/// Extraction in worker processes: the same documents as in process, and every way a worker can die on a hostile file
/// turned into a refusal that names it, with the worker replaced and the caller's process untouched.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class WorkerIsolationTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("rag-isolation-test-").FullName;

    private ExtractionOptions Extraction(ExtractionOptions? options = null) => (options ?? new ExtractionOptions()) with { TempDirectory = _temp };

    [Fact]
    public async Task A_worker_extracts_the_same_document_as_in_process()
    {
        var markdown = Encoding.UTF8.GetBytes("# 维护手册\n\nThe XYZ-123 pump runs at 220V.\n\n- 断开电源\n- wait five minutes\n");
        var pdf = PdfFixture.TextPdf("Pumps need oil every 300 hours.", "第二页：检查电压。");
        using var isolated = new IsolatedDocumentExtractor(Extraction(), new ExtractionIsolationOptions { PoolSize = 1 });
        var reference = new DocumentExtractor(Extraction());

        foreach (var (bytes, name) in new[] { (markdown, "manual.md"), (pdf, "pumps.pdf") })
        {
            var expected = await reference.ExtractAsync(bytes, name, null, CancellationToken.None);
            var actual = await isolated.ExtractAsync(bytes, name, null, CancellationToken.None);

            Assert.Equal(expected.Title, actual.Title);
            Assert.Equal(expected.Format, actual.Format);
            Assert.Equal(expected.Blocks, actual.Blocks);
            Assert.Equal(expected.Report.OrderBy(p => p.Key), actual.Report.OrderBy(p => p.Key));
        }

        Assert.Equal(1, isolated.WorkersStarted); // one warm worker served both files
    }

    [Fact]
    public async Task A_refusal_inside_the_worker_arrives_as_the_same_refusal()
    {
        using var isolated = new IsolatedDocumentExtractor(Extraction(), new ExtractionIsolationOptions { PoolSize = 1 });
        var truncated = PdfFixture.TextPdf("short")[..200];

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(truncated, "cut.pdf", null, CancellationToken.None));

        var inProcess = await Assert.ThrowsAsync<ExtractionException>(() => new DocumentExtractor(Extraction()).ExtractAsync(truncated, "cut.pdf", null, CancellationToken.None));
        Assert.Equal(inProcess.Failure, ex.Failure);
        Assert.Equal(inProcess.Message, ex.Message);
        Assert.Equal("pdf", ex.Extractor);
        Assert.Equal(1, isolated.WorkersStarted); // a refusal does not cost the worker
    }

    [Fact]
    public async Task A_stack_overflow_ends_only_the_worker_and_names_it()
    {
        using var isolated = new IsolatedDocumentExtractor(Extraction(), new ExtractionIsolationOptions { PoolSize = 2 });
        var text = Encoding.UTF8.GetBytes("Pumps need oil every 300 hours.");

        // Another upload in flight on the other worker is not disturbed.
        var crash = Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(HostileFiles.DocxNested(100_000), "deep.docx", null, CancellationToken.None));
        var neighbour = isolated.ExtractAsync(text, "oil.txt", null, CancellationToken.None);
        var ex = await crash;

        Assert.Equal(ExtractionFailure.Crashed, ex.Failure);
        Assert.Contains("crashed: stack overflow", ex.Message);
        Assert.Equal("docx", ex.Extractor);
        Assert.Contains("300 hours", (await neighbour).FullText);
        var after = await isolated.ExtractAsync(text, "oil.txt", null, CancellationToken.None);
        Assert.Contains("300 hours", after.FullText);
    }

    [Fact]
    public async Task A_file_that_exhausts_memory_is_refused_naming_the_limit()
    {
        using var isolated = new IsolatedDocumentExtractor(Extraction(), new ExtractionIsolationOptions { PoolSize = 1, MemoryLimitBytes = 256L << 20 });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(HostileFiles.PdfFlateBomb(1L << 30), "bomb.pdf", null, CancellationToken.None));

        Assert.True(ex.Failure == ExtractionFailure.Crashed, ex.Message);
        Assert.Contains("ran out of its 256 MiB memory limit on this file (Rag:Extraction:MemoryLimitBytes)", ex.Message);
        var after = await isolated.ExtractAsync(Encoding.UTF8.GetBytes("still reading"), "a.txt", null, CancellationToken.None);
        Assert.Equal("still reading", after.FullText);
    }

    [Fact]
    public async Task A_file_that_spins_the_cpu_is_ended_by_the_cpu_time_limit()
    {
        // Parsing 100 000 nested divs takes minutes of CPU; the wall-clock bounds are far away, so only RLIMIT_CPU can end it.
        var extraction = Extraction(new ExtractionOptions { ParseTimeout = TimeSpan.FromHours(1), TotalTimeout = TimeSpan.FromHours(1) });
        using var isolated = new IsolatedDocumentExtractor(extraction, new ExtractionIsolationOptions { PoolSize = 1, CpuTimeLimit = TimeSpan.FromSeconds(2), WallTimeout = TimeSpan.FromHours(1) });

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(HostileFiles.HtmlNested(100_000), "deep.html", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.Crashed, ex.Failure);
        Assert.Contains("used up its CPU time limit of 2 s", ex.Message);
        Assert.Equal("html", ex.Extractor);
    }

    [Fact]
    public async Task An_answer_larger_than_the_output_bound_is_refused()
    {
        using var isolated = new IsolatedDocumentExtractor(Extraction(), new ExtractionIsolationOptions { PoolSize = 1, MaxOutputBytes = 10_000 });
        var text = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Range(0, 1000).Select(i => $"Paragraph {i} about pumps.")));

        var ex = await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(text, "long.txt", null, CancellationToken.None));

        Assert.Equal(ExtractionFailure.TooLarge, ex.Failure);
        Assert.Contains("Rag:Extraction:MaxOutputBytes", ex.Message);
    }

    [Fact]
    public async Task The_private_temp_folder_holds_no_file_after_an_extraction_and_is_gone_after_the_pool()
    {
        var extraction = Extraction(new ExtractionOptions { ParseTimeout = TimeSpan.FromHours(1) });
        var isolated = new IsolatedDocumentExtractor(extraction, new ExtractionIsolationOptions { PoolSize = 1, CpuTimeLimit = TimeSpan.FromSeconds(1) });
        await isolated.ExtractAsync(PdfFixture.TextPdf("Pumps need oil."), "pumps.pdf", null, CancellationToken.None);
        await Assert.ThrowsAsync<ExtractionException>(() => isolated.ExtractAsync(HostileFiles.HtmlNested(100_000), "deep.html", null, CancellationToken.None));
        await isolated.ExtractAsync(PdfFixture.TextPdf("Pumps need oil."), "pumps.pdf", null, CancellationToken.None);

        var folder = Assert.Single(Directory.GetDirectories(_temp)); // the crashed worker's folder went with it
        Assert.Equal(["extractor", "options.json"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal)); // nothing of the uploads
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));

        isolated.Dispose();
        Assert.Empty(Directory.GetFileSystemEntries(_temp));
    }

    public void Dispose() => Directory.Delete(_temp, recursive: true);
}
