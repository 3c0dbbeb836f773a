namespace RagService.Core.Storage;

/// <summary>
/// The store (or an index's files) cannot do what was asked because its files cannot be written or read (read-only folder, full disk, permissions).
/// </summary>
public sealed class StorageUnavailableException(string reason, Exception? inner = null) : Exception(reason, inner);
