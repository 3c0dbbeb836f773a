using RagService.Api.Tests.Auth;
using RagService.Api.Tests.Sync;

namespace RagService.Api.Tests.Postgres;

// The document, search, ask, sync-job and key suites again, every host on the PostgreSQL store (StoreChoice).

public sealed class PostgresIngestAndSearchTests : IngestAndSearchTests
{
    public PostgresIngestAndSearchTests() => StoreChoice.UsePostgres();
}

public sealed class PostgresDemoAndAskTests : DemoAndAskTests
{
    public PostgresDemoAndAskTests() => StoreChoice.UsePostgres();
}

public sealed class PostgresKeyLifecycleTests : KeyLifecycleTests
{
    public PostgresKeyLifecycleTests() => StoreChoice.UsePostgres();
}

public sealed class PostgresFolderSyncTests : FolderSyncTests
{
    public PostgresFolderSyncTests() => StoreChoice.UsePostgres();
}
