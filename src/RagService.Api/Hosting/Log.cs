using Microsoft.Extensions.Logging;

namespace RagService.Api.Hosting;

/// <summary>The host's start-up log lines (source-generated).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Store: {Kind} at {Location} (Rag:Store; Rag:DatabasePath or RAG_DB for sqlite, Rag:Postgres:ConnectionString or RAG_POSTGRES for postgres)")]
    public static partial void StoreChosen(this ILogger logger, string kind, string location);
}
