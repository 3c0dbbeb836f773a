namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Real all-MiniLM-L6-v2 vectors of SQuAD chunks in document order and of SQuAD questions, stored as float16
/// (Fixtures/README.md says how the file was made). Rows are re-normalised after widening to float32.
/// </summary>
internal sealed record RealEmbeddingFixture(float[][] Chunks, float[][] Questions)
{
    public const string FileName = "Fixtures/squad-minilm-l6.f16";

    public static RealEmbeddingFixture Load()
    {
        using var reader = new BinaryReader(File.OpenRead(Path.Combine(AppContext.BaseDirectory, FileName)));
        int chunks = reader.ReadInt32(), questions = reader.ReadInt32(), dim = reader.ReadInt32();
        float[] Row()
        {
            var v = new float[dim];
            for (int i = 0; i < dim; i++)
            {
                v[i] = (float)reader.ReadHalf();
            }

            float norm = MathF.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < dim; i++)
            {
                v[i] /= norm;
            }

            return v;
        }
        var c = Enumerable.Range(0, chunks).Select(_ => Row()).ToArray();
        var q = Enumerable.Range(0, questions).Select(_ => Row()).ToArray();
        return new RealEmbeddingFixture(c, q);
    }
}
