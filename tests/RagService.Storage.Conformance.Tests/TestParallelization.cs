using Xunit;

// After each test the SQLite classes clear every SQLite connection pool of the process and the PostgreSQL classes every
// Npgsql pool; a class running beside them would have a connection it is opening disposed under it
// (ObjectDisposedException in SqliteConnection.Open). The classes therefore run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
