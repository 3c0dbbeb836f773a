using RagService.Core.Models;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;
using RagService.Core.Tests.Fakes;
using RagService.Core.Text;

namespace RagService.Core.Tests;

/// <summary>When the calibration service calibrates, what searches read meanwhile, and when a stored calibration is stale.</summary>
public sealed class FusionCalibrationServiceTests
{
    private static readonly CollectionInfo Collection = new(3, "docs", new CollectionSettings(), DateTimeOffset.UnixEpoch);
    private static readonly PseudoQueryRecall None = new(0, 0, 0);

    private readonly FakeKnowledgeStore _store = new();
    private readonly FakeIndexSource _source;
    private readonly InMemoryFusionCalibrationStore _calibrations = new();
    private readonly FakeEmbedder _embedder = new();

    public FusionCalibrationServiceTests()
    {
        _source = new FakeIndexSource(_store);
        // Twelve chunks of eight words: too short for pseudo-queries, so only the unknown-token gate can calibrate them.
        for (var id = 1; id <= 12; id++)
        {
            _store.Add(id, "one two three four five six seven eight");
        }
    }

    private FusionCalibrationService Service(CalibrationSchedule? schedule = null) =>
        new(_store, _source, _calibrations, new AnalyzerCatalog(new MixedScriptAnalyzer()), _embedder, new CalibrationOptions(), schedule: schedule);

    private static FusionCalibration Stored(int chunks, string model = "fake-model", int dimension = 3) =>
        new(0.4, None, None, None, 50, chunks, model, dimension, DateTimeOffset.UnixEpoch, "stored");

    [Fact]
    public void A_calibration_is_stale_when_the_model_changed_or_the_chunk_count_moved_by_more_than_a_quarter()
    {
        var service = Service();
        Assert.Equal("embedding model changed: calibrated with old-model (3 dimensions), now fake-model (3)", service.StaleReason(Stored(100, "old-model"), 100));
        Assert.Equal("embedding model changed: calibrated with fake-model (384 dimensions), now fake-model (3)", service.StaleReason(Stored(100, dimension: 384), 100));
        Assert.Null(service.StaleReason(Stored(100), 125));
        Assert.Null(service.StaleReason(Stored(100), 75));
        Assert.StartsWith("collection changed: 100 chunks when calibrated, 126 now (more than RecalibrateAfterChange 25", service.StaleReason(Stored(100), 126));
        Assert.StartsWith("collection changed: 100 chunks when calibrated, 74 now", service.StaleReason(Stored(100), 74));
        // A calibration of an empty collection is stale once it has one chunk.
        Assert.NotNull(service.StaleReason(Stored(0), 1));
    }

    [Fact]
    public async Task It_calibrates_when_nothing_is_stored_and_keeps_a_current_calibration()
    {
        _embedder.Fit = new ModelFit(12, 100, 70, 0, 256);
        var service = Service();

        var (first, ran) = await service.CalibrateIfDueAsync(Collection, 100, default);
        Assert.True(ran);
        Assert.Equal((0.0, 12), (first!.DenseWeight, first.Chunks));
        Assert.Same(first, await _calibrations.GetAsync(Collection.Id, default));
        // The sample is read with the chunks' context header, empty here.
        Assert.All(_embedder.Measured.Single(), t => Assert.Equal("one two three four five six seven eight", t));

        var (second, ranAgain) = await service.CalibrateIfDueAsync(Collection, 100, default);
        Assert.False(ranAgain);
        Assert.Same(first, second);
        Assert.Same(first, await service.GetOrCalibrateAsync(Collection, 100, default));

        var state = await service.InUseAsync(Collection, default);
        Assert.Same(first, state.Calibration);
        Assert.Null(state.Stale);
        Assert.Equal(12, state.Chunks);
    }

    [Fact]
    public async Task A_collection_the_model_can_read_and_too_small_to_sample_stays_on_rrf_and_nothing_is_stored()
    {
        _embedder.Fit = new ModelFit(12, 100, 1, 0, 256);
        var (calibration, ran) = await Service().CalibrateIfDueAsync(Collection, 100, default);
        Assert.True(ran);
        Assert.Null(calibration);
        Assert.Null(await _calibrations.GetAsync(Collection.Id, default));
    }

    [Fact]
    public async Task A_search_uses_a_stale_calibration_asks_the_schedule_for_a_new_one_and_says_so()
    {
        // Calibrated at 8 chunks, 12 now: moved by half.
        await _calibrations.PutAsync(Collection.Id, Stored(8), default);
        var schedule = new CalibrationSchedule(new CalibrationOptions());
        var state = await Service(schedule).InUseAsync(Collection, default);

        Assert.Equal(0.4, state.Calibration!.DenseWeight);
        Assert.StartsWith("collection changed: 8 chunks when calibrated, 12 now", state.Stale);
        Assert.Equal(CalibrationActivity.Scheduled, schedule.ActivityOf("docs"));
        Assert.Equal(CalibrationActivity.Scheduled, state.Activity);
        Assert.EndsWith("; stale: " + state.Stale + "; recalibration scheduled", state.DescribeInUse());
    }

    [Fact]
    public async Task A_search_asks_for_a_calibration_when_there_is_none_and_uses_rrf_meanwhile()
    {
        var schedule = new CalibrationSchedule(new CalibrationOptions());
        var state = await Service(schedule).InUseAsync(Collection, default);
        Assert.Null(state.Calibration);
        Assert.Equal(CalibrationActivity.Scheduled, schedule.ActivityOf("docs"));
        Assert.Equal("not calibrated yet: calibration scheduled", state.DescribeInUse());
    }

    [Fact]
    public async Task A_current_calibration_asks_nothing_of_the_schedule()
    {
        await _calibrations.PutAsync(Collection.Id, Stored(12), default);
        var schedule = new CalibrationSchedule(new CalibrationOptions());
        var state = await Service(schedule).InUseAsync(Collection, default);
        Assert.Null(state.Stale);
        Assert.Equal(CalibrationActivity.Idle, schedule.ActivityOf("docs"));
        Assert.Equal(state.Calibration!.Describe(), state.DescribeInUse());
    }

    [Fact]
    public async Task After_a_calibration_attempt_a_search_does_not_ask_again_until_the_collection_changes()
    {
        _embedder.Fit = new ModelFit(12, 100, 1, 0, 256); // readable and too small: the attempt stores nothing
        var schedule = new CalibrationSchedule(new CalibrationOptions());
        var service = Service(schedule);
        await service.CalibrateIfDueAsync(Collection, 100, default);

        await service.InUseAsync(Collection, default);
        Assert.Equal(CalibrationActivity.Idle, schedule.ActivityOf("docs"));

        _source.Version++;
        await service.InUseAsync(Collection, default);
        Assert.Equal(CalibrationActivity.Scheduled, schedule.ActivityOf("docs"));
    }

    [Fact]
    public async Task What_is_in_use_is_read_again_only_when_the_collection_version_moves()
    {
        var service = Service();
        await _calibrations.PutAsync(Collection.Id, Stored(12), default);
        Assert.Equal(0.4, (await service.StateAsync(Collection, default)).Calibration!.DenseWeight);

        await _calibrations.PutAsync(Collection.Id, Stored(12) with { DenseWeight = 0.7 }, default);
        Assert.Equal(0.4, (await service.StateAsync(Collection, default)).Calibration!.DenseWeight);

        _source.Version++;
        Assert.Equal(0.7, (await service.StateAsync(Collection, default)).Calibration!.DenseWeight);
    }
}

/// <summary>The model-fit check's warnings and its per-version memory.</summary>
public sealed class ModelFitCheckTests
{
    private static readonly CollectionInfo Collection = new(3, "docs", new CollectionSettings(), DateTimeOffset.UnixEpoch);

    private readonly FakeKnowledgeStore _store = new();
    private readonly FakeIndexSource _source;
    private readonly FakeEmbedder _embedder = new();

    public ModelFitCheckTests()
    {
        _source = new FakeIndexSource(_store);
        _store.Collections.Add(Collection);
    }

    private ModelFitCheck Check() => new(_store, _source, _embedder, new ModelFitThresholds(), new CalibrationOptions { SampleSize = 10 });

    [Fact]
    public void Warnings_start_above_each_limit()
    {
        var thresholds = new ModelFitThresholds();
        Assert.Empty(thresholds.Warnings(new ModelFit(20, 1000, 50, 1, 256), "m")); // exactly 5 % each
        var warnings = thresholds.Warnings(new ModelFit(20, 1000, 51, 2, 256), "m");
        Assert.Equal(2, warnings.Count);
        Assert.StartsWith("5.1", warnings[0]);
        Assert.Contains("of the tokens are unknown to m (limit 5", warnings[0]);
        Assert.StartsWith("10.0", warnings[1]);
        Assert.Contains("of the chunks are longer than m's 256 tokens (limit 5", warnings[1]);
        Assert.Single(thresholds.Warnings(new ModelFit(20, 1000, 0, 2, 256), "m"));
        Assert.Empty(new ModelFitThresholds { MaxTruncationRate = 0.1 }.Warnings(new ModelFit(20, 1000, 0, 2, 256), "m"));
    }

    [Fact]
    public async Task An_unfit_collection_makes_the_component_warn_and_names_the_collection()
    {
        _store.Add(1, "text one", title: "Guide", headings: "Install");
        _embedder.Fit = new ModelFit(1, 100, 69, 0, 256);
        var status = await Check().CheckAsync(default);
        Assert.Equal(("model-fit", "warning"), (status.Name, status.State));
        Assert.StartsWith("collection 'docs': 69.0", status.Detail);
        // The sample is measured as ingestion embeds it: context header, new line, text.
        Assert.Equal(["Guide > Install\ntext one"], _embedder.Measured.Single());

        _embedder.Fit = new ModelFit(1, 100, 0, 0, 256);
        _source.Version++;
        status = await Check().CheckAsync(default);
        Assert.Equal(("on", "every collection's text fits fake-model"), (status.State, status.Detail));
    }

    [Fact]
    public async Task A_collection_is_measured_once_per_version_and_not_at_all_when_empty()
    {
        var check = Check();
        Assert.Null(await check.CheckAsync(Collection, default));
        Assert.Empty(_embedder.Measured);

        _store.Add(1, "text one");
        _embedder.Fit = new ModelFit(1, 10, 0, 0, 256);
        Assert.Null(await check.CheckAsync(Collection, default)); // same version: the empty answer is remembered
        _source.Version++;
        var report = (await check.CheckAsync(Collection, default))!;
        Assert.Equal(("fake-model", 10L), (report.ModelId, report.Fit.Tokens));
        Assert.Empty(report.Warnings);
        Assert.Same(report, await check.CheckAsync(Collection, default));
        Assert.Single(_embedder.Measured);
    }
}

/// <summary>The deterministic sample the calibration and the model-fit check read.</summary>
public sealed class ChunkSampleTests
{
    private readonly FakeKnowledgeStore _store = new();
    private readonly FakeIndexSource _source;

    public ChunkSampleTests()
    {
        _source = new FakeIndexSource(_store);
        for (var id = 1; id <= 1000; id++)
        {
            _store.Add(id, $"chunk {id}", title: "Title", headings: ["Title", "Part"]);
        }
    }

    private static CollectionInfo Collection(bool headers) => new(1, "c", new CollectionSettings { ContextualHeaders = headers }, DateTimeOffset.UnixEpoch);

    [Fact]
    public async Task The_sample_is_spread_over_the_collection_and_does_not_depend_on_the_order_the_index_lists_chunks()
    {
        var sample = await ChunkSample.ReadAsync(_store, _source, Collection(true), 100, default);
        Assert.Equal(100, sample.Count);
        var ids = sample.Select(c => int.Parse(c.Text["chunk ".Length..])).ToList();
        Assert.Equal(100, ids.Distinct().Count());
        // Not the first (or last) hundred: every quarter of the ids is represented.
        Assert.All(Enumerable.Range(0, 4), quarter => Assert.Contains(ids, id => (id - 1) / 250 == quarter));

        _source.SnapshotOrder = Enumerable.Range(1, 1000).Reverse().Select(i => (long)i).ToList();
        var reversed = await ChunkSample.ReadAsync(_store, _source, Collection(true), 100, default);
        Assert.Equal(sample, reversed);
    }

    [Fact]
    public async Task A_sample_at_least_the_collection_size_is_every_chunk_with_its_header_when_headers_are_on()
    {
        var all = await ChunkSample.ReadAsync(_store, _source, Collection(true), 5000, default);
        Assert.Equal(1000, all.Count);
        Assert.All(all, c => Assert.Equal("Title > Part", c.Header));
        Assert.Equal("Title > Part\nchunk 7", ChunkSample.Embedded(all.Single(c => c.Text == "chunk 7")));

        var bare = await ChunkSample.ReadAsync(_store, _source, Collection(false), 3, default);
        Assert.All(bare, c => Assert.Equal("", c.Header));
        Assert.Equal(bare[0].Text, ChunkSample.Embedded(bare[0]));
    }
}
