using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using RagService.Core.Retrieval.Calibration;
using RagService.Core.Storage;

namespace RagService.Api.Tests.Calibration;

/// <summary>
/// Puts the background calibration of a test host under the test's control: the schedule runs on a fake clock that only
/// the test moves (nothing is calibrated until <see cref="SettleAsync"/> or <see cref="AdvanceUntilHeldAsync"/>), and
/// every calibration that runs passes a gate the test can hold shut, and is counted.
/// </summary>
internal sealed class CalibrationHarness : ICalibrationObserver
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(3);
    private readonly Lock _gate = new();
    private TaskCompletionSource _open = Opened();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _runs;
    private int _failures;

    public FakeTimeProvider Clock { get; } = new();

    /// <summary>Calibrations that ran (the stored one was missing or stale).</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Starts the service with the real all-MiniLM-L6-v2 and this harness in place.</summary>
    public Task<ServiceHost> StartAsync(params string[] settings) => ServiceHost.StartAsync(
        b =>
        {
            b.Services.AddKeyedSingleton<TimeProvider>(CalibrationSchedule.ClockKey, Clock);
            b.Services.AddSingleton<ICalibrationObserver>(this);
        },
        [$"--Rag:Embedding:ModelDirectory={RealModelRetrievalTests.RealMiniLmDirectory()}", "--Rag:Embedding:IntraOpThreads=2", .. settings]);

    public async Task BeforeCalibratingAsync(CollectionInfo collection, CancellationToken ct)
    {
        Interlocked.Increment(ref _runs);
        if (Interlocked.Decrement(ref _failures) >= 0)
        {
            throw new InvalidOperationException("calibration failed on purpose (test)");
        }

        Task open;
        lock (_gate)
        {
            _arrived.TrySetResult();
            open = _open.Task;
        }

        await open.WaitAsync(ct);
    }

    /// <summary>The next <paramref name="count"/> calibrations fail (as a broken model or store would).</summary>
    public void Fail(int count) => Interlocked.Exchange(ref _failures, count);

    /// <summary>From now on calibrations wait at the gate until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _open.TrySetResult();
        }
    }

    /// <summary>Moves the clock past the debounce delay until a calibration waits at the held gate.</summary>
    public async Task AdvanceUntilHeldAsync()
    {
        Task arrived;
        lock (_gate)
        {
            arrived = _arrived.Task;
        }

        var deadline = DateTime.UtcNow + Bound;
        while (!arrived.IsCompleted)
        {
            Assert.True(DateTime.UtcNow < deadline, "no calibration reached the gate");
            Clock.Advance(new CalibrationOptions().DebounceDelay);
            await Task.WhenAny(arrived, Task.Delay(50));
        }
    }

    /// <summary>
    /// Moves the clock past the debounce delay (again each round, in case the worker set its timer just after a move)
    /// until the collection's fusion state is <paramref name="state"/>; returns the stats' fusion.
    /// </summary>
    public Task<JsonElement> SettleAsync(ServiceHost host, string collection, string state = "calibrated") =>
        WaitForStateAsync(host, collection, state, () => Clock.Advance(new CalibrationOptions().DebounceDelay));

    /// <summary>Polls the collection's fusion state (the bound only stops a hung test; nothing asserts on time).</summary>
    public static async Task<JsonElement> WaitForStateAsync(ServiceHost host, string collection, string state, Action? eachRound = null)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            eachRound?.Invoke();
            var fusion = await FusionAsync(host, collection);
            if (fusion.GetProperty("state").GetString() == state)
            {
                return fusion;
            }

            Assert.True(DateTime.UtcNow < deadline, $"collection '{collection}' did not reach fusion state '{state}': {fusion}");
            await Task.Delay(50);
        }
    }

    public static async Task<JsonElement> FusionAsync(ServiceHost host, string collection) =>
        (await host.Client.GetFromJsonAsync<JsonElement>($"/v1/collections/{collection}")).GetProperty("fusion");

    private static TaskCompletionSource Opened()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }
}
