namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// Two inserts that overlap in time cannot see each other. Built one after the other, the later of two near-identical
/// vectors finds the earlier and links to it (its nearest neighbour is always kept by the heuristic); built at the same
/// time, they must end up linked too, or the one left out is found only through distant nodes.
/// </summary>
public class ConcurrentTwinTests
{
    [Fact]
    public async Task Near_identical_vectors_inserted_at_the_same_time_link_to_each_other()
    {
        const int dim = 32;
        var data = new ClusteredData(dim, clusters: 2, seed: 3, spread: 0.5);
        var existing = data.TakeInClusterOrder(perCluster: 150)[..150];   // the first cluster only
        var newcomers = data.TakeInClusterOrder(perCluster: 2)[2..];        // two points of the second, unseen cluster
        using var index = new HnswIndex(dim, IndexFixtures.GraphOnly());
        IndexFixtures.Fill(index, existing, threads: 1);
        const long held = 1_000, other = 1_001;

        using var searched = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        index.Graph.BeforePublish = node =>
        {
            if (index.State.Vectors.IdAt(node) == held)
            {
                searched.Set();
                Assert.True(release.Wait(TimeSpan.FromMinutes(1)), "the held insert was never released");
            }
        };
        var heldInsert = Task.Run(() => index.Upsert(held, newcomers[0]));
        Assert.True(searched.Wait(TimeSpan.FromMinutes(1)), "the held insert never reached publication");
        index.Upsert(other, newcomers[1]);   // runs entirely while the held node is still invisible
        release.Set();
        await heldInsert;
        index.Graph.BeforePublish = null;

        int heldSlot = SlotOf(index, held), otherSlot = SlotOf(index, other);
        Assert.Contains(otherSlot, index.Graph.Neighbours(heldSlot, 0).ToArray());
        Assert.Contains(heldSlot, index.Graph.Neighbours(otherSlot, 0).ToArray());
        Assert.Equal([held, other], index.Search(newcomers[0], 2).Select(h => h.Id).Order());
    }

    private static int SlotOf(HnswIndex index, long id)
    {
        var vectors = index.State.Vectors;
        for (int slot = 0; slot < vectors.SlotCount; slot++)
        {
            if (vectors.IdAt(slot) == id)
            {
                return slot;
            }
        }

        throw new InvalidOperationException($"id {id} not stored");
    }
}
