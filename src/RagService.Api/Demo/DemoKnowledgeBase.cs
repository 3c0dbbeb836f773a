using System.Reflection;
using RagService.Api.Ingestion;
using RagService.Core.Storage;

namespace RagService.Api.Demo;

/// <summary>
/// Creates the "demo" collection (a pizza shop's menu, promotions and an oven FAQ) when it is missing; one replica at a
/// time (a replica that finds the cluster lock taken leaves the seeding to its holder).
/// </summary>
internal static class DemoKnowledgeBase
{
    public const string CollectionName = "demo";

    private static readonly (string Resource, string Id, string Title)[] Documents =
    [
        ("menu.md", "menu", "披萨菜单"),
        ("promotions.md", "promotions", "本周优惠活动"),
        ("faq.md", "oven-faq", "智能烤箱产品常见问题"),
    ];

    public static async Task EnsureAsync(IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        await using var held = await services.GetRequiredService<Core.Cluster.IClusterLock>().TryAcquireAsync("demo-seed", ct);
        if (held is null)
        {
            logger.SeededElsewhere();
            return;
        }

        var store = services.GetRequiredService<IKnowledgeStore>();
        var collection = await store.GetCollectionAsync(CollectionName, ct)
            ?? await store.CreateCollectionAsync(CollectionName, DefaultSettings(services), ct);
        var ingestor = services.GetRequiredService<DocumentIngestor>();
        foreach (var (resource, id, title) in Documents)
        {
            var content = ReadResource(resource);
            var result = await ingestor.IngestAsync(collection, content, resource, "text/markdown", id, title,
                new Dictionary<string, string> { ["source"] = "demo" }, null, null, ct);
            logger.DemoDocument(id, result.Outcome.ToString(), result.Chunks);
        }
    }

    private static CollectionSettings DefaultSettings(IServiceProvider services)
    {
        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Hosting.RagOptions>>().Value.Chunking;
        var analyzer = services.GetRequiredService<Core.Text.AnalyzerCatalog>().Default;
        return new CollectionSettings { Chunking = options.ToOptions(), ContextualHeaders = options.ContextualHeaders, Analyzer = analyzer.Signature };
    }

    private static byte[] ReadResource(string name)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var full = assembly.GetManifestResourceNames().Single(n => n.EndsWith("." + name, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(full)!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
