namespace RagService.Core.Storage;

/// <summary>
/// Which store the service runs on, for the start-up log: its kind ("sqlite", "postgres") and where it is (a path, a host; never a password).
/// </summary>
public interface IStoreDescription
{
    string Kind { get; }

    string Location { get; }
}

public sealed record StoreDescription(string Kind, string Location) : IStoreDescription;
