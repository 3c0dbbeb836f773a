using RagService.Api.Hosting;
using RagService.Core.Models;
using RagService.Llm.Health;

namespace RagService.Api.Health;

/// <summary>
/// The state of one named component: from the component check that reports that name (learnt on the first readiness
/// probe, which runs them all), from the LLM probe, or else as decided at start-up (<see cref="ComponentRegistry"/>).
/// </summary>
internal sealed class ComponentChecks(IEnumerable<IComponentHealth> checks, ComponentRegistry registry, IServiceProvider services) : IDisposable
{
    private readonly SemaphoreSlim _discovery = new(1, 1);
    private IReadOnlyDictionary<string, IComponentHealth>? _byName;

    /// <summary>Null when no component of that name exists in this configuration (e.g. model-fit without an embedding model).</summary>
    public async Task<ComponentStatus?> CheckAsync(string name, CancellationToken ct)
    {
        if (name == "llm" && services.GetService<LlmReadinessProbe>() is { } llm)
        {
            return await llm.CheckAsync(ct);
        }

        var byName = _byName ?? await DiscoverAsync(ct);
        if (byName.TryGetValue(name, out var check))
        {
            return await check.CheckAsync(ct);
        }

        return registry.All.FirstOrDefault(c => c.Name == name);
    }

    private async Task<IReadOnlyDictionary<string, IComponentHealth>> DiscoverAsync(CancellationToken ct)
    {
        await _discovery.WaitAsync(ct);
        try
        {
            if (_byName is null)
            {
                var byName = new Dictionary<string, IComponentHealth>(StringComparer.Ordinal);
                foreach (var check in checks)
                {
                    byName.TryAdd((await check.CheckAsync(ct)).Name, check);
                }

                _byName = byName;
            }

            return _byName;
        }
        finally
        {
            _discovery.Release();
        }
    }

    public void Dispose() => _discovery.Dispose();
}
