namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Parallel builds on real sentence embeddings of consecutive document chunks, where neighbouring chunks of one
/// passage are similar and are inserted side by side by the build threads.
/// </summary>
[Trait("Category", "LargeGraph")]
public class RealEmbeddingTests
{
    private static readonly Lazy<RealEmbeddingFixture> Fixture = new(RealEmbeddingFixture.Load);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Parallel_build_of_real_chunk_embeddings_in_document_order_reaches_every_chunk(int threads)
    {
        var (chunks, questions) = Fixture.Value;
        ParallelBuildTests.AssertWholeGraphWithExactTop10(chunks, questions,
            new VectorIndexOptions { ExactSearchThreshold = 0, AutoCompactDeletedRatio = 0 }, threads);
    }
}
