using RagService.Vectors.Hnsw.Internal;

namespace RagService.Vectors.Hnsw.Tests;

/// <summary>
/// The graph's building blocks on their own, against values worked out by hand: the score heap's order, visited marks
/// across the 16-bit generation wrap, the completion log's window, duplicate chains, chunked storage (growth, 64-byte
/// alignment, segments), the parallel runner and the filter's sampled selectivity.
/// </summary>
public sealed unsafe class GraphPartsTests
{
    [Fact]
    public void A_graph_refuses_vector_records_without_room_for_its_level0_links()
    {
        // M = 2: a count and 2·M links, 5 ints.
        var error = Assert.Throws<ArgumentException>(() => new HnswGraph(new VectorCollection(4, headerInts: 4), m: 2, efConstruction: 10, seed: 1));
        Assert.Equal("vectors", error.ParamName);
        Assert.StartsWith("Vector records lack room for level-0 links.", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, new HnswGraph(new VectorCollection(4, headerInts: 5), m: 2, efConstruction: 10, seed: 1).M);
    }

    [Fact]
    public void A_quantised_collection_refuses_a_vector_before_it_is_calibrated()
    {
        var vectors = new VectorCollection(4, headerInts: 5, floatDirectory: Path.GetTempPath(), quantizer: null);
        var error = Assert.Throws<InvalidOperationException>(() => vectors.Append(1, new float[4]));
        Assert.Equal("a quantised collection stores no vector before it is calibrated", error.Message);
    }

    [Fact]
    public void Duplicates_reach_the_float_tolerance_or_one_int8_step_vector()
    {
        // Float vectors of dimension 4: a squared distance of sqrt(4) / 2^23 = 2^-22, so a reach of 2^-11.
        using var floats = new HnswIndex(4);
        Assert.Equal(1f / 2_048, floats.Graph.DuplicateReach);

        // int8 codes calibrated on 0 and 2.55 in every coordinate: steps of 0.01, a step vector of norm 0.02.
        string dir = Directory.CreateTempSubdirectory("hnsw-reach-").FullName;
        try
        {
            using var int8 = new HnswIndex(4, new VectorIndexOptions { Quantization = VectorQuantization.Int8, FloatVectorDirectory = dir });
            Assert.Equal(0f, int8.Graph.DuplicateReach);   // not calibrated yet
            int8.UpsertMany(2, i => i, i => Enumerable.Repeat(i * 2.55f, 4).ToArray(), threads: 1);
            Assert.Equal(0.02f, int8.Graph.DuplicateReach, 6);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_score_heap_pops_lowest_first_and_drains_highest_first_past_its_initial_size()
    {
        var heap = new ScoreHeap();
        var scores = Enumerable.Range(0, 200).Select(i => (float)((i * 37) % 200)).ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            heap.Push(scores[i], i);
        }

        Assert.Equal((200, 0f), (heap.Count, heap.TopScore));
        Assert.Equal((0f, Array.IndexOf(scores, 0f)), heap.Top);
        Assert.Equal(0f, heap.Pop().Score);
        Assert.Equal(1f, heap.Pop().Score);
        var drained = new List<(float Score, int Node)>();
        heap.DrainDescending(drained);
        Assert.Equal(Enumerable.Range(2, 198).Reverse().Select(x => (float)x), drained.Select(d => d.Score));
        Assert.All(drained, d => Assert.Equal(scores[d.Node], d.Score));
        Assert.Equal(0, heap.Count);
        heap.Push(5, 1);
        heap.Clear();
        Assert.Equal(0, heap.Count);
    }

    [Fact]
    public void Visited_marks_reset_per_search_and_survive_the_generation_wrap()
    {
        var visited = new VisitedSet();
        visited.Reset(10);
        Assert.True(visited.TryVisit(3));
        Assert.False(visited.TryVisit(3));
        Assert.False(visited.TryVisit(10));   // beyond the marks: skipped
        Assert.False(visited.TryVisit(-1));
        visited.Reset(10);
        Assert.True(visited.TryVisit(3));
        // Grows, and keeps working, when a larger capacity is asked for.
        visited.Reset(20);
        Assert.True(visited.TryVisit(19));
        // Generation 2 marks node 7. The generation reaches 65,535 after 65,533 more searches: the marks are cleared and
        // it starts again at 1, so one search later it is 2 again, and node 7 must be new, not left over from before.
        visited.Reset(20);
        Assert.True(visited.TryVisit(7));
        for (int i = 0; i < ushort.MaxValue - 1; i++)
        {
            visited.Reset(20);
        }

        Assert.True(visited.TryVisit(7));
        Assert.True(visited.TryVisit(19));
    }

    [Fact]
    public void The_completion_log_lists_what_completed_since_a_position_within_its_window()
    {
        var log = new CompletionLog(4);
        var since = new List<int>();
        Assert.Equal(0, log.Position);
        Assert.True(log.Complete(10, 0, since));
        Assert.Empty(since);
        long start = log.Position;
        Assert.Equal(1, start);
        log.Complete(11, 1, since);
        log.Complete(12, 1, since);
        Assert.Equal([11], since);
        Assert.True(log.Complete(13, start, since));
        Assert.Equal([11, 12], since);
        // Past the window of 4: only the latest 4 are listed, and the answer is false.
        log.Complete(14, 0, since);
        Assert.False(log.Complete(15, 0, since));
        Assert.Equal([11, 12, 13, 14], since);
        Assert.Equal(6, log.Position);
    }

    [Fact]
    public void A_duplicate_group_is_a_chain_from_its_node_through_the_newest_member_to_the_oldest()
    {
        var groups = new DuplicateGroups();
        groups.EnsureCapacity(10);
        Assert.Equal(-1, groups.Next(2));
        groups.Join(2, 5);
        groups.Join(2, 7);
        Assert.Equal((7, 5, -1), (groups.Next(2), groups.Next(7), groups.Next(5)));
        groups.Restore(5, 0);
        Assert.Equal(0, groups.Next(5));
        groups.Restore(5, -1);
        Assert.Equal(-1, groups.Next(5));
    }

    [Fact]
    public void Chunked_arrays_grow_by_4096_and_keep_what_was_written()
    {
        var array = new ChunkedArray<int>();
        Assert.Equal(0, array.Capacity);
        array.EnsureCapacity(1);
        Assert.Equal(4_096, array.Capacity);
        array[4_095] = 7;
        array.EnsureCapacity(4_096);
        Assert.Equal(4_096, array.Capacity);
        array.EnsureCapacity(4_097);
        Assert.Equal(8_192, array.Capacity);
        array[4_096] = 8;
        array.EnsureCapacity(12_289);
        Assert.Equal((16_384, 7, 8), (array.Capacity, array[4_095], array[4_096]));
    }

    [Fact]
    public void Pinned_buffers_align_each_chunk_to_64_bytes_and_give_its_records_as_segments()
    {
        var buffer = new PinnedChunkedBuffer<float>(3);
        Assert.Equal((0, 3, 0L), (buffer.Capacity, buffer.Stride, buffer.AllocatedBytes));
        buffer.EnsureCapacity(4_097);
        Assert.Equal((8_192, 2L * 4_096 * 3 * 4), (buffer.Capacity, buffer.AllocatedBytes));
        Assert.Equal(0, (long)buffer[0] % 64);
        Assert.Equal(0, (long)buffer[4_096] % 64);
        Assert.Equal(3 * 4, (long)buffer[1] - (long)buffer[0]);
        buffer.Record(4_096)[2] = 9;
        buffer.Record(4_095)[0] = 4;
        buffer.EnsureCapacity(100);
        Assert.Equal(8_192, buffer.Capacity);

        var segments = buffer.Segments(4_097).ToArray();
        Assert.Equal([4_096 * 3, 3], segments.Select(s => s.Length));
        Assert.Equal((4f, 9f), (segments[0].Span[4_095 * 3], segments[1].Span[2]));
        Assert.Empty(buffer.Segments(0));
    }

    [Fact]
    public void Parallel_work_runs_each_index_once_and_rethrows_a_failure_after_all_workers_stop()
    {
        var seen = new int[50];
        ParallelWork.Run(50, 3, i => Interlocked.Increment(ref seen[i]));
        Assert.All(seen, n => Assert.Equal(1, n));
        ParallelWork.Run(0, 4, _ => throw new InvalidOperationException("never called"));
        int calls = 0;
        ParallelWork.Run(5, 0, _ => Interlocked.Increment(ref calls));
        Assert.Equal(5, calls);

        var e = Assert.Throws<InvalidOperationException>(() => ParallelWork.Run(20, 2, i =>
        {
            if (i == 7)
            {
                throw new InvalidOperationException("index 7");
            }
        }));
        Assert.Equal("index 7", e.Message);
    }

    [Fact]
    public void The_matching_fraction_is_estimated_from_live_slots_spread_evenly()
    {
        var vectors = new VectorCollection(2);
        Assert.Equal(0, FilterSelectivity.Estimate(vectors, _ => true));
        for (int i = 0; i < 1_000; i++)
        {
            vectors.Publish(vectors.Append(i, [1f, 0f]));
        }

        // 1,000 slots, step 1,000 / 256 = 3, starting at slot 1: slots 1, 4, …, 997 (333 of them); 167 have an odd id.
        Assert.Equal(167.0 / 333, FilterSelectivity.Estimate(vectors, id => id % 2 == 1), 10);
        Assert.Equal(1.0, FilterSelectivity.Estimate(vectors, _ => true));
        // Removed slots are not sampled: with every sampled slot removed but one, that one decides.
        for (int s = 1; s < 997; s += 3)
        {
            vectors.Remove(s);
        }

        Assert.Equal(1.0, FilterSelectivity.Estimate(vectors, id => id == 997));
        vectors.Remove(997);
        Assert.Equal(0, FilterSelectivity.Estimate(vectors, _ => true));
    }
}
