using System.Runtime.ExceptionServices;
using RagService.Core.Models;

namespace RagService.Core.Ingestion;

/// <summary>A prepared document's vectors (null: it has none to embed) or why they could not be computed.</summary>
public sealed record DocumentVectors(float[][]? Vectors, ExceptionDispatchInfo? Failure = null);

/// <summary>
/// Embeds the passages of several prepared documents in one embedder call, so its length-sorted batches are filled
/// across documents rather than with one document's two or three chunks. Rules:
/// <list type="bullet">
/// <item>one result per document, in order; a document with no passages (unchanged, no model, no chunks) gets null vectors;</item>
/// <item>when the shared call fails (other than by cancellation), each document is embedded alone, so only a document
/// whose own passages fail gets a failure;</item>
/// <item>cancellation propagates.</item>
/// </list>
/// A vector depends only on its own passage (padding is masked), so it matches embedding the document alone.
/// </summary>
public sealed class PassageBatch(ITextEmbedder? embedder)
{
    public async Task<IReadOnlyList<DocumentVectors>> EmbedAsync(IReadOnlyList<PreparedDocument> documents, CancellationToken ct)
    {
        var results = documents.Select(_ => new DocumentVectors(null)).ToArray();
        var wanted = Enumerable.Range(0, documents.Count).Where(i => documents[i].PassageCount > 0).ToList();
        if (embedder is null || wanted.Count == 0)
        {
            return results;
        }

        var passages = documents.Select(d => d.Passages).ToList();

        try
        {
            var vectors = await embedder.EmbedAsync(wanted.SelectMany(i => passages[i]).ToList(), EmbeddingPurpose.Passage, ct);
            var offset = 0;
            foreach (var i in wanted)
            {
                results[i] = new DocumentVectors(vectors[offset..(offset + passages[i].Count)]);
                offset += passages[i].Count;
            }

            return results;
        }
        catch (Exception e) when (wanted.Count > 1 && !(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            foreach (var i in wanted)
            {
                results[i] = await EmbedAloneAsync(passages[i], ct);
            }

            return results;
        }
    }

    private async Task<DocumentVectors> EmbedAloneAsync(IReadOnlyList<string> passages, CancellationToken ct)
    {
        try
        {
            return new DocumentVectors(await embedder!.EmbedAsync(passages, EmbeddingPurpose.Passage, ct));
        }
        catch (Exception e) when (!(e is OperationCanceledException && ct.IsCancellationRequested))
        {
            return new DocumentVectors(null, ExceptionDispatchInfo.Capture(e));
        }
    }
}
