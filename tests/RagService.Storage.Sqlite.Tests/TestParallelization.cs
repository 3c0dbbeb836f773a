using Xunit;

// Several classes clear every SQLite connection pool of the process when a test ends; a class running beside them would
// have a connection it is opening disposed under it (ObjectDisposedException in SqliteConnection.Open). The assembly
// runs in seconds, so its classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
