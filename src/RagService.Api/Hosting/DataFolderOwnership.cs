using RagService.Core.Locking;

namespace RagService.Api.Hosting;

/// <summary>
/// One service process per data folder: the database (with everything kept beside it) and, when Rag:Lucene:Directory
/// puts the Lucene indexes elsewhere, that folder too, each under its <see cref="DataFolderLock"/>. The start is
/// refused, with one log line naming the folder, the lock file and the holder, when another process owns either.
/// </summary>
internal sealed class DataFolderOwnership : IDisposable
{
    /// <summary>The exit code of a service refused because its data folder is in use (EX_TEMPFAIL: try again once the other stopped).</summary>
    public const int InUseExitCode = 75;

    private readonly List<DataFolderLock> _locks = [];

    private DataFolderOwnership()
    {
    }

    public static DataFolderOwnership Claim(RagOptions rag, IConfiguration configuration, Serilog.ILogger log)
    {
        var ownership = new DataFolderOwnership();
        try
        {
            ownership.Take(rag.DatabasePath, "Rag:DatabasePath (RAG_DB)", log);
            var lucene = configuration["Rag:Lucene:Directory"];
            if (rag.Bm25Engine == "lucene" && !string.IsNullOrWhiteSpace(lucene))
            {
                ownership.Take(lucene, "Rag:Lucene:Directory", log);
            }

            return ownership;
        }
        catch (DataFolderInUseException e)
        {
            ownership.Dispose();
            log.ForContext(Serilog.Core.Constants.SourceContextPropertyName, "RagService").Fatal("Not starting: {Reason}", e.Message);
            throw;
        }
    }

    public void Dispose()
    {
        foreach (var held in _locks)
        {
            held.Dispose();
        }
    }

    private void Take(string path, string relocateHint, Serilog.ILogger log)
    {
        var held = DataFolderLock.Acquire(path, relocateHint);
        _locks.Add(held);
        if (held.NotHeldReason is { } reason)
        {
            log.Warning("Starting without owning the data folder: {Reason}", reason);
        }
    }
}
