using RagService.Core.Storage;

namespace RagService.Tests.Shared;

/// <summary>A document's chunk list that cancels the token when the writer, enumerating it, reaches a given chunk.</summary>
public sealed class CancelAtChunk(IReadOnlyList<IndexedChunk> inner, int at, CancellationTokenSource cts) : IReadOnlyList<IndexedChunk>
{
    public IndexedChunk this[int index] => inner[index];

    public int Count => inner.Count;

    public IEnumerator<IndexedChunk> GetEnumerator()
    {
        for (var i = 0; i < inner.Count; i++)
        {
            if (i == at)
            {
                cts.Cancel();
            }

            yield return inner[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
