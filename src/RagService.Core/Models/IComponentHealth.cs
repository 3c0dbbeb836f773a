namespace RagService.Core.Models;

/// <summary>A component that can say whether it works (the store, each index); /health/ready asks every one of them.</summary>
public interface IComponentHealth
{
    Task<ComponentStatus> CheckAsync(CancellationToken ct);
}
