using System.Security.Cryptography;
using System.Text;
using RagService.Core.Models;

namespace RagService.Cli.Eval;

/// <summary>
/// `rag eval --embedding-cache FILE`: an embedder that remembers vectors by (model, purpose, text) in one file, so
/// re-running an eval on a slow CPU embeds only what it has not seen. The file is rewritten at the end of the run.
/// </summary>
internal sealed class EmbeddingCache(ITextEmbedder inner, string path) : ITextEmbedder
{
    private readonly Dictionary<string, float[]> _vectors = Load(path, inner);
    private int _added;

    public string ModelId => inner.ModelId;

    public int Dimension => inner.Dimension;

    public string? ExecutionProvider => inner.ExecutionProvider;

    public ModelFit? MeasureFit(IReadOnlyList<string> texts) => inner.MeasureFit(texts);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingPurpose purpose, CancellationToken cancellationToken)
    {
        var keys = texts.Select(t => Key(purpose, t)).ToList();
        var missing = keys.Select((k, i) => (k, i)).Where(x => !_vectors.ContainsKey(x.k)).DistinctBy(x => x.k).ToList();
        if (missing.Count > 0)
        {
            var embedded = await inner.EmbedAsync(missing.Select(m => texts[m.i]).ToList(), purpose, cancellationToken);
            for (var j = 0; j < missing.Count; j++)
            {
                _vectors[missing[j].k] = embedded[j];
            }

            _added += missing.Count;
        }

        return keys.Select(k => _vectors[k]).ToArray();
    }

    /// <summary>Writes the cache when this run added vectors.</summary>
    public void Save()
    {
        if (_added == 0)
        {
            return;
        }

        var temporary = path + ".tmp";
        using (var writer = new BinaryWriter(File.Create(temporary)))
        {
            writer.Write(inner.ModelId);
            writer.Write(inner.Dimension);
            writer.Write(_vectors.Count);
            foreach (var (key, vector) in _vectors)
            {
                writer.Write(key);
                foreach (var x in vector)
                {
                    writer.Write(x);
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    private static Dictionary<string, float[]> Load(string path, ITextEmbedder model)
    {
        var vectors = new Dictionary<string, float[]>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return vectors;
        }

        using var reader = new BinaryReader(File.OpenRead(path));
        if (reader.ReadString() != model.ModelId || reader.ReadInt32() != model.Dimension)
        {
            throw new ArgumentException($"--embedding-cache {path} holds vectors of another model; delete it or name another file");
        }

        var count = reader.ReadInt32();
        for (var i = 0; i < count; i++)
        {
            var key = reader.ReadString();
            var vector = new float[model.Dimension];
            for (var d = 0; d < vector.Length; d++)
            {
                vector[d] = reader.ReadSingle();
            }

            vectors[key] = vector;
        }

        return vectors;
    }

    private static string Key(EmbeddingPurpose purpose, string text) =>
        Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes($"{purpose}\u0001{text}")));
}
