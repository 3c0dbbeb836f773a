using Microsoft.Extensions.DependencyInjection;
using RagService.Core.Models;
using RagService.Core.Retrieval;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;
using RagService.Core.Text;
using RagService.Tests.Shared;

namespace RagService.Core.Tests.Fakes;

/// <summary>
/// The search scene the query-path tests work out their expected values on, one per test:
/// <list type="bullet">
/// <item>collection 7 "c", and retrieval options with neighbour evidence off (window 0);</item>
/// <item>a <see cref="FakeKnowledgeStore"/> holding chunks 1..4, chunk id's text "c{id}", each alone (ordinal 0) in document key id × 10;</item>
/// <item>BM25 answering 1 (9), 2 (5), 3 (1); dense answering 3 (0.9), 1 (0.8), 4 (0.7).</item>
/// </list>
/// <see cref="Compose"/> builds the search the way the host composes it over exactly these.
/// </summary>
public sealed class FourChunkSearchFixture
{
    public static readonly CollectionInfo Collection = new(7, "c", new CollectionSettings(), DateTimeOffset.UnixEpoch);

    public static readonly RetrievalOptions NoNeighbours = new() { Neighbours = new NeighbourEvidenceOptions { Window = 0 } };

    public FourChunkSearchFixture()
    {
        for (var id = 1; id <= 4; id++)
        {
            Store.Add(id, $"c{id}", documentKey: id * 10, ordinal: 0);
        }
    }

    public FakeKnowledgeStore Store { get; } = new();

    public AnalyzerCatalog Analyzers { get; } = new(new MixedScriptAnalyzer());

    /// <summary>A fresh BM25 fake answering 1 (9), 2 (5), 3 (1).</summary>
    public static FakeLexicalIndex Bm25() => new(new ScoredChunk(1, 9), new ScoredChunk(2, 5), new ScoredChunk(3, 1));

    /// <summary>A fresh vector fake answering 3 (0.9), 1 (0.8), 4 (0.7).</summary>
    public static FakeVectorIndex Dense() => new(new ScoredChunk(3, 0.9), new ScoredChunk(1, 0.8), new ScoredChunk(4, 0.7));

    /// <summary>The hybrid search over the store, both hit lists and <paramref name="embedder"/>, with neighbours off.</summary>
    public SearchService Compose(ITextEmbedder embedder, FusionCalibrationService? calibration = null, Action<IServiceCollection>? more = null) =>
        SearchComposition.Compose(Store, Bm25(), Analyzers, Dense(), embedder, options: NoNeighbours, calibration: calibration, more: more);
}
