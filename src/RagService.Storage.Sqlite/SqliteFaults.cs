using Microsoft.Data.Sqlite;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>Turns SQLite's "the files cannot be used" errors into the store-neutral <see cref="StorageUnavailableException"/>.</summary>
public sealed class SqliteFaults : IStoreFaults
{
    public StorageUnavailableException? Translate(Exception exception) => exception switch
    {
        StorageUnavailableException u => u,
        SqliteException e when StorageFault.IsStorageError(e) => new StorageUnavailableException(
            $"the store (SQLite) cannot read or write its data folder (SQLite error {e.SqliteErrorCode}: {e.Message}); the service stays up, writes fail until it is fixed", e),
        _ => null,
    };

    internal static T Translate<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (SqliteException e) when (StorageFault.IsStorageError(e))
        {
            throw new SqliteFaults().Translate(e)!;
        }
    }

    internal static async Task<T> TranslateAsync<T>(Func<Task<T>> run)
    {
        try
        {
            return await run();
        }
        catch (SqliteException e) when (StorageFault.IsStorageError(e))
        {
            throw new SqliteFaults().Translate(e)!;
        }
    }
}
