namespace RagService.Extraction.Processes;

/// <summary>A directory only this user can read, for files handed to child processes; deleted with everything in it on dispose.</summary>
public sealed class PrivateTempDirectory : IDisposable
{
    private PrivateTempDirectory(string path) => Path = path;

    public string Path { get; }

    public static PrivateTempDirectory Create(string? parent)
    {
        if (parent is null)
        {
            return new PrivateTempDirectory(Directory.CreateTempSubdirectory("rag-extract-").FullName);
        }

        var path = System.IO.Path.Combine(parent, "rag-extract-" + Guid.NewGuid().ToString("N"));
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return new PrivateTempDirectory(path);
    }

    public async Task<string> WriteFileAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var file = System.IO.Path.Combine(Path, name);
        await File.WriteAllBytesAsync(file, content, cancellationToken).ConfigureAwait(false);
        return file;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a file still held open elsewhere; the OS temp cleaner gets it later.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
