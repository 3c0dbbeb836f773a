using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using RagService.Core.Storage;

namespace RagService.Storage.Sqlite;

/// <summary>Start-up checks of the data folder that turn a fault into a reason (readiness false, writes 503) instead of an aborted start.</summary>
internal static class StorageFault
{
    /// <summary>SQLite result codes that mean "the files cannot be used", not "the request is wrong".</summary>
    public static bool IsStorageError(SqliteException e) => e.SqliteErrorCode is 3 or 8 or 10 or 13 or 14 or 23;

    public static string? EnsureSchema(SqliteConnectionFactory connections, ILogger logger)
    {
        try
        {
            using var connection = connections.Open();
            SqliteSchema.Ensure(connection);
            return null;
        }
        catch (Exception e) when (e is SqliteException s && IsStorageError(s) || e is IOException or UnauthorizedAccessException)
        {
            var reason = $"the data folder {Path.GetDirectoryName(connections.DatabasePath)} cannot be written or opened ({e.Message}); " +
                "check its permissions, free space and that it is not mounted read-only";
            logger.StorageUnavailableAtStart(reason);
            return reason;
        }
    }
}
