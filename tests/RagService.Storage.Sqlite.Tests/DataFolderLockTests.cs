using System.Diagnostics;
using RagService.Core.Locking;

namespace RagService.Storage.Sqlite.Tests;

/// <summary>The data folder lock on its own: exclusive while held (even within one process), free once released, and a folder that cannot be written does not stop the start.</summary>
public sealed class DataFolderLockTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragsvc-dflock-" + Guid.NewGuid().ToString("N")[..10]);

    private string Database => Path.Combine(_directory, "rag.db");

    [Fact]
    public void A_held_lock_refuses_a_second_owner_naming_folder_lock_and_holder_and_is_free_after_release()
    {
        using (var held = DataFolderLock.Acquire(Database, "--db"))
        {
            Assert.Null(held.NotHeldReason);
            var refused = Assert.Throws<DataFolderInUseException>(() => DataFolderLock.Acquire(Database, "--db"));
            Assert.Equal(_directory, refused.Folder);
            Assert.Equal(Database + ".lock", refused.LockPath);
            Assert.Equal(Environment.ProcessId, refused.HolderProcessId);
            Assert.EndsWith("stop it or point --db elsewhere", refused.Message, StringComparison.Ordinal);

            // The lock file names the holder for people; cat takes no lock.
            using var cat = Process.Start(new ProcessStartInfo("cat", Database + ".lock") { RedirectStandardOutput = true })!;
            Assert.Equal(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cat.StandardOutput.ReadToEnd().Trim());
            cat.WaitForExit();
        }

        using var next = DataFolderLock.Acquire(Database, "--db");
        Assert.Null(next.NotHeldReason);
    }

    [Fact]
    public void A_folder_that_cannot_be_created_gives_an_unheld_lock_with_the_reason_instead_of_an_exception()
    {
        Directory.CreateDirectory(_directory);
        var file = Path.Combine(_directory, "not-a-folder");
        File.WriteAllText(file, "");
        using var unheld = DataFolderLock.Acquire(Path.Combine(file, "rag.db"), "--db");
        Assert.Contains("cannot be created", unheld.NotHeldReason, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
