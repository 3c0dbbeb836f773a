using Microsoft.Extensions.Logging;

namespace RagService.Api.Security;

/// <summary>The start-up report of authentication (source-generated log lines).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Could not check the API key store at start-up")]
    public static partial void KeyStoreCheckFailed(this ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "!!! Rag:Auth:Mode=none on {Addresses}: ANYONE who can reach this address can read, change and delete every collection. " +
                  "Mode=none is for local development on 127.0.0.1 only; set Rag:Auth:Mode=keys and a bootstrap key (Rag:Auth:BootstrapKey or BootstrapKeyFile) !!!")]
    public static partial void AuthOffAndExposed(this ILogger logger, string addresses);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Rag:Auth:Mode=none: no API keys are checked (local development on loopback only)")]
    public static partial void AuthOffOnLoopback(this ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning,
        Message = "No API key exists yet, so every route except /health/live and /health/ready answers 401. To create the first one, " +
                  "restart with an admin key of at least {Length} characters in Rag:Auth:BootstrapKey (env Rag__Auth__BootstrapKey) or in a file named by " +
                  "Rag:Auth:BootstrapKeyFile, e.g. 'openssl rand -hex 32 > admin.key', then create client keys with 'rag keys create --client NAME --role reader' " +
                  "(or POST /v1/keys) and remove the bootstrap key.")]
    public static partial void NoKeysYet(this ILogger logger, int length);
}
