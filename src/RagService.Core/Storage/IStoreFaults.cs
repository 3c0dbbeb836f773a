namespace RagService.Core.Storage;

/// <summary>
/// A store adapter's reading of its own exceptions: the ones that mean "the store cannot be used now" (a 503, a job
/// that waits) come back as <see cref="StorageUnavailableException"/> naming the store; anything else as null.
/// </summary>
public interface IStoreFaults
{
    StorageUnavailableException? Translate(Exception exception);
}
