using System.Reflection;

namespace RagService.Architecture.Tests;

/// <summary>The projects by role, by assembly and root namespace.</summary>
internal static class Layers
{
    public const string Core = "RagService.Core";

    /// <summary>Each adapter implements Core's ports for one technology and references Core only.</summary>
    public static readonly IReadOnlyList<string> Adapters =
    [
        "RagService.Storage.Sqlite", "RagService.Storage.Postgres", "RagService.Lexical.Lucene", "RagService.Lexical.Memory",
        "RagService.Vectors.Hnsw", "RagService.Vectors.Qdrant", "RagService.Onnx", "RagService.Llm", "RagService.Extraction",
    ];

    /// <summary>
    /// The types that name a storage engine (a store, a lexical or a vector engine). Lucene's analyzers
    /// (RagService.Lexical.Lucene.Analysis) are text analysis, not an engine, so only its Lucene* types are listed.
    /// </summary>
    public static readonly string[] StorageEngines =
    [
        "RagService.Storage.Sqlite", "RagService.Storage.Postgres", "RagService.Lexical.Lucene.Lucene", "RagService.Lexical.Memory",
        "RagService.Vectors.Hnsw", "RagService.Vectors.Qdrant",
    ];

    /// <summary>Packages only an adapter or the host may use: I/O, engines, models, web and logging frameworks.</summary>
    public static readonly string[] InfrastructurePackages =
    [
        "Microsoft.Data.Sqlite", "Npgsql", "Lucene.Net", "Qdrant.Client", "Grpc", "Microsoft.ML", "Microsoft.SemanticKernel", "Microsoft.AspNetCore",
        "Serilog", "OpenTelemetry", "UglyToad.PdfPig", "DocumentFormat.OpenXml", "System.Net.Http",
    ];

    public const string Client = "RagService.Client";

    public static Assembly Load(string name) => Assembly.Load(new AssemblyName(name));
}
