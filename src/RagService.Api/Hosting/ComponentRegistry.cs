using RagService.Core.Models;

namespace RagService.Api.Hosting;

/// <summary>The status of each optional component (dense, rerank, llm), decided once at start-up.</summary>
public sealed class ComponentRegistry
{
    private readonly Dictionary<string, ComponentStatus> _components = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ComponentStatus> All => _components.Values;

    public void Set(ComponentStatus status) => _components[status.Name] = status;

    public ComponentStatus Get(string name) => _components.TryGetValue(name, out var s) ? s : ComponentStatus.Off(name, "not configured");
}
