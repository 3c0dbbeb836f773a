using System.Diagnostics;
using System.Globalization;
using RagService.Core.Documents;
using RagService.Extraction;
using RagService.Extraction.Isolation;
using RagService.Pdf.Bench;

// PDF text layer benchmark: PdfPig (in process) vs poppler's pdftotext, per producer, on tests/pdf-corpus.
// Usage: dotnet run -c Release --project bench/RagService.Pdf.Bench -- [--corpus tests/pdf-corpus] [--repeat 3]
//        [--warmup 4]        untimed passes over every producer and engine first, so the JIT has optimised the code
//                            (a running service extracts with warm code; 0 measures a cold process)
//        [--producer NAME] [--engine pdfpig|pdfpig-worker|pdftotext]   run only these
//        [--unlabeled DIR]   robustness run over every *.pdf under DIR (no ground truth)
//        [--dump FILE.pdf]   print the blocks PdfPig produces for one file
//        [--hop N]           the fixed cost of process isolation: N extractions of a one-line text file, in process and in the worker
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var arguments = args.ToList();
string? Option(string name) => arguments.IndexOf(name) is var i and >= 0 && i + 1 < arguments.Count ? arguments[i + 1] : null;
var corpus = Option("--corpus") ?? Path.Combine(FindRoot(), "tests", "pdf-corpus");
var repeat = int.Parse(Option("--repeat") ?? "3", CultureInfo.InvariantCulture);
var warmup = int.Parse(Option("--warmup") ?? "4", CultureInfo.InvariantCulture);

// pdfpig-worker: the same PdfPig extraction in one warm worker process (Rag:Extraction:Isolation=Process), as the service runs it;
// never retired, so that no timed file waits for a replacement to start (the service retires one every MaxFilesPerWorker files).
var engines = new (string Name, IDocumentExtractor Extractor)[]
    {
        ("pdfpig", new DocumentExtractor(new ExtractionOptions { PdfTextLayer = PdfTextLayer.PdfPig })),
        ("pdfpig-worker", new IsolatedDocumentExtractor(new ExtractionOptions { PdfTextLayer = PdfTextLayer.PdfPig }, new ExtractionIsolationOptions { PoolSize = 1, MaxFilesPerWorker = 1_000_000 })),
        ("pdftotext", new DocumentExtractor(new ExtractionOptions { PdfTextLayer = PdfTextLayer.Poppler })),
    }
    .Where(e => Option("--engine") is not { } only || only == e.Name)
    .ToList();

if (Option("--dump") is { } dump)
{
    var doc = await engines[0].Extractor.ExtractAsync(File.ReadAllBytes(dump), dump, null, CancellationToken.None);
    Console.WriteLine($"title: {doc.Title}; report: {string.Join(", ", doc.Report.Select(kv => $"{kv.Key}={kv.Value}"))}");
    foreach (var b in doc.Blocks)
    {
        Console.WriteLine($"p{b.Page} {b.Kind}{(b.HeadingLevel > 0 ? b.HeadingLevel.ToString(CultureInfo.InvariantCulture) : "")}: {b.Text}");
    }

    return 0;
}

if (Option("--hop") is { } hopCount)
{
    await HopCost(int.Parse(hopCount, CultureInfo.InvariantCulture));
    return 0;
}

if (Option("--unlabeled") is { } unlabeled)
{
    await Unlabeled(unlabeled);
    return 0;
}

var documents = CorpusDocument.Load(corpus);
var producers = new List<(string Producer, List<(CorpusDocument Truth, byte[] Pdf)> Files)>();
foreach (var producer in new[] { "chromium", "ghostscript" })
{
    producers.Add((producer, documents
        .Where(d => File.Exists(Path.Combine(corpus, producer, d.Name + ".pdf")))
        .Select(d => (d, File.ReadAllBytes(Path.Combine(corpus, producer, d.Name + ".pdf"))))
        .ToList()));
}

producers.Add(("pdfsharp", documents.Select(d => (d, PdfSharpProducer.Write(d))).ToList()));
producers.RemoveAll(p => Option("--producer") is { } only && only != p.Producer);

var coldSeconds = new Dictionary<string, double>();
for (var w = 0; w < warmup; w++)
{
    foreach (var (_, files) in producers)
    {
        foreach (var (name, extractor) in engines)
        {
            foreach (var file in files)
            {
                var watch = Stopwatch.StartNew();
                await extractor.ExtractAsync(file.Pdf, "corpus.pdf", null, CancellationToken.None);
                coldSeconds.TryAdd(name, watch.Elapsed.TotalSeconds);
            }
        }
    }
}

Console.WriteLine($"PDF text layer, {documents.Count} documents per producer, timing = best of {repeat} passes after {warmup} untimed warm-up pass(es), " +
                  $"the engines' passes interleaved; {Environment.ProcessorCount} cores, load average {LoadAverage()}");
if (coldSeconds.Count > 0)
{
    Console.WriteLine("First document of each engine in this process (JIT included for pdfpig): " + string.Join(", ", coldSeconds.Select(c => $"{c.Key} {c.Value * 1000:0} ms")));
}

Console.WriteLine();
Console.WriteLine("| producer | engine | pages | char F1 | char P | char R | heading P | heading R | header/footer leakage | pages/s | CPU ms/page |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
var perDocument = new List<string>();
var ratios = new List<string>();
var isolation = new List<string>();
foreach (var (producer, files) in producers)
{
    // One pass of every engine per repetition, so both engines see the same load on a shared machine.
    var runs = engines.Select(e => new EngineRun(e.Name, e.Extractor, files.Count)).ToList();
    for (var r = 0; r < repeat; r++)
    {
        foreach (var run in runs)
        {
            var cpuStart = CpuClock.Seconds();
            var watch = Stopwatch.StartNew();
            var results = new List<ExtractedDocument>();
            for (var i = 0; i < files.Count; i++)
            {
                var fileWatch = Stopwatch.StartNew();
                results.Add(await run.Extractor.ExtractAsync(files[i].Pdf, "corpus.pdf", null, CancellationToken.None));
                run.BestPerFile[i] = Math.Min(run.BestPerFile[i], fileWatch.Elapsed.TotalSeconds);
            }

            run.Metrics.Seconds = Math.Min(run.Metrics.Seconds, watch.Elapsed.TotalSeconds);
            run.Metrics.CpuSeconds += (CpuClock.Seconds() - cpuStart) / repeat;
            if (r == 0)
            {
                for (var i = 0; i < files.Count; i++)
                {
                    run.Metrics.Add(files[i].Truth, results[i]);
                    run.Metrics.Pages += results[i].Blocks.Select(b => b.Page ?? 0).DefaultIfEmpty(0).Max();
                }
            }
        }
    }

    foreach (var run in runs)
    {
        var metrics = run.Metrics;
        for (var i = 0; i < files.Count; i++)
        {
            perDocument.Add($"| {producer} | {files[i].Truth.Name} | {run.Name} | {run.BestPerFile[i] * 1000:0} |");
        }

        Console.WriteLine($"| {producer} | {run.Name} | {metrics.Pages} | {metrics.F1:0.000} | {metrics.Precision:0.000} | {metrics.Recall:0.000} | " +
                          $"{metrics.HeadingPrecision:0.00} | {metrics.HeadingRecall:0.00} | {metrics.Leakage:0.00} | {metrics.PagesPerSecond:0.0} | {metrics.CpuMillisecondsPerPage:0.0} |");
    }

    if (runs.Find(r => r.Name == "pdfpig")?.Metrics is { } pig)
    {
        if (runs.Find(r => r.Name == "pdftotext")?.Metrics is { } poppler)
        {
            ratios.Add($"| {producer} | {pig.PagesPerSecond / poppler.PagesPerSecond:0.00}× | {poppler.CpuMillisecondsPerPage / pig.CpuMillisecondsPerPage:0.00}× |");
        }

        if (runs.Find(r => r.Name == "pdfpig-worker")?.Metrics is { } worker)
        {
            isolation.Add($"| {producer} | {worker.PagesPerSecond:0.0} | {pig.PagesPerSecond:0.0} | {worker.PagesPerSecond / pig.PagesPerSecond:0.00}× |");
        }
    }
}

if (isolation.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("Isolation: PdfPig in a warm worker process vs in process (goal ≥ 0.8×). The worker's own CPU is not in the CPU ms/page column (it is not a finished child).");
    Console.WriteLine("| producer | worker pages/s | in-process pages/s | worker ÷ in process |");
    Console.WriteLine("|---|---:|---:|---:|");
    isolation.ForEach(Console.WriteLine);
}

if (ratios.Count > 0)
{
    Console.WriteLine();
    Console.WriteLine("| producer | pdfpig ÷ pdftotext pages/s (wall) | pdfpig ÷ pdftotext pages per CPU-second |");
    Console.WriteLine("|---|---:|---:|");
    ratios.ForEach(Console.WriteLine);
}

Console.WriteLine();
Console.WriteLine("| producer | document | engine | best ms |");
Console.WriteLine("|---|---|---|---:|");
perDocument.ForEach(Console.WriteLine);
return 0;

async Task Unlabeled(string directory)
{
    var files = Directory.GetFiles(directory, "*.pdf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
    Console.WriteLine($"Unlabeled robustness run: {files.Count} PDFs under {directory}");
    Console.WriteLine("| file | pages | pdfpig chars | pdfpig headings | pdfpig s | text layer used | pdftotext chars | pdftotext s |");
    Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|");
    foreach (var file in files)
    {
        var bytes = File.ReadAllBytes(file);
        var cells = new List<string> { Path.GetFileName(file) };
        foreach (var (name, extractor) in engines.Where(e => e.Name != "pdfpig-worker"))
        {
            var watch = Stopwatch.StartNew();
            try
            {
                var doc = await extractor.ExtractAsync(bytes, file, null, CancellationToken.None);
                var seconds = watch.Elapsed.TotalSeconds;
                if (name == "pdfpig")
                {
                    cells.Add(doc.Blocks.Select(b => b.Page ?? 0).DefaultIfEmpty(0).Max().ToString(CultureInfo.InvariantCulture));
                    cells.Add(doc.Blocks.Sum(b => b.Text.Length).ToString(CultureInfo.InvariantCulture));
                    cells.Add(doc.Blocks.Count(b => b.Kind == BlockKind.Heading).ToString(CultureInfo.InvariantCulture));
                    cells.Add(seconds.ToString("0.00", CultureInfo.InvariantCulture));
                    cells.Add(doc.Report.GetValueOrDefault("extraction.textLayer", "?") +
                              (doc.Report.TryGetValue("extraction.fallbackReason", out var why) ? $" ({why})" : ""));
                }
                else
                {
                    cells.Add(doc.Blocks.Sum(b => b.Text.Length).ToString(CultureInfo.InvariantCulture));
                    cells.Add(seconds.ToString("0.00", CultureInfo.InvariantCulture));
                }
            }
            catch (ExtractionException e)
            {
                cells.AddRange(name == "pdfpig" ? ["-", "-", "-", "-", "error: " + e.Message] : ["error", "-"]);
            }
        }

        Console.WriteLine("| " + string.Join(" | ", cells) + " |");
    }
}

// Median and mean wall time per file of a text file so small that extraction itself costs microseconds: what remains
// is the hop (request, transfer, answer) between the service and its worker. Both engines interleaved.
async Task HopCost(int count)
{
    var tiny = "Pumps need oil every 300 hours."u8.ToArray();
    var hopEngines = engines.Where(e => e.Name != "pdftotext").ToList();
    var times = hopEngines.ToDictionary(e => e.Name, _ => new List<double>());
    for (var i = -warmup * 10; i < count; i++)
    {
        foreach (var (name, extractor) in hopEngines)
        {
            var watch = Stopwatch.StartNew();
            await extractor.ExtractAsync(tiny, "tiny.txt", null, CancellationToken.None);
            if (i >= 0)
            {
                times[name].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
    }

    Console.WriteLine($"Hop cost: {count} extractions of a {tiny.Length}-byte text file per engine, interleaved; load average {LoadAverage()}");
    Console.WriteLine("| engine | median ms | 90th percentile ms | mean ms |");
    Console.WriteLine("|---|---:|---:|---:|");
    foreach (var (name, list) in times)
    {
        list.Sort();
        Console.WriteLine($"| {name} | {list[list.Count / 2]:0.000} | {list[list.Count * 9 / 10]:0.000} | {list.Average():0.000} |");
    }

    if (Environment.GetEnvironmentVariable("HOP_TOP") is not null)
    {
        foreach (var (name, list) in times)
        {
            Console.WriteLine(name + " slowest: " + string.Join(" ", list.TakeLast(25).Select(t => t.ToString("0.0"))));
        }
    }
}

static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

static string FindRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "RagService.sln")))
        {
            return dir.FullName;
        }
    }

    return Directory.GetCurrentDirectory();
}
