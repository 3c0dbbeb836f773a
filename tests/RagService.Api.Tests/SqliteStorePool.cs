using Microsoft.Data.Sqlite;

namespace RagService.Api.Tests;

/// <summary>
/// Releases the pooled connections the SQLite store keeps to one database file, and no other database's: tests run in
/// parallel, and clearing every pool would close the other tests' connections too. Microsoft.Data.Sqlite keys its pools
/// by the exact connection string, so this builds the one the store opens (RagService.Storage.Sqlite's
/// SqliteConnectionFactory: full path, ReadWriteCreate, pooled, foreign keys); SqliteStorePoolTests (Api tests) fails
/// when the two drift apart. A test's own reads open with Pooling=False and need no release.
/// </summary>
public static class SqliteStorePool
{
    public static void Release(string databasePath)
    {
        var storeConnection = new SqliteConnectionStringBuilder
        {
            DataSource = Path.GetFullPath(databasePath),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            ForeignKeys = true,
        }.ToString();
        using var connection = new SqliteConnection(storeConnection);
        SqliteConnection.ClearPool(connection);
    }
}
