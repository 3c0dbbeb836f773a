using Xunit;

// The conformance classes (float, int8) and the request-shape tests each end by clearing every SQLite connection pool
// of the process, which disposes a connection another class is opening at that moment (ObjectDisposedException in
// SqliteConnection.Open). The whole assembly runs in a few seconds, so its classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
