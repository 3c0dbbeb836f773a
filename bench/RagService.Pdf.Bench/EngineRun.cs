using RagService.Core.Documents;

namespace RagService.Pdf.Bench;

/// <summary>One engine's measurements over one producer's documents: scores, best pass, CPU, best time per file.</summary>
internal sealed class EngineRun
{
    public EngineRun(string name, IDocumentExtractor extractor, int files)
    {
        Name = name;
        Extractor = extractor;
        BestPerFile = new double[files];
        Array.Fill(BestPerFile, double.MaxValue);
    }

    public string Name { get; }

    public IDocumentExtractor Extractor { get; }

    public Metrics Metrics { get; } = new() { Seconds = double.MaxValue };

    public double[] BestPerFile { get; }
}
