using System.Formats.Tar;
using System.Net;
using RagService.Api.Tests.Sync;
using static RagService.Api.Tests.Hardening.ProblemAssertions;

namespace RagService.Api.Tests.Hardening;

/// <summary>
/// Defect 3: tar header fields (GNU long names, pax records) are bounded before they are read into memory, refused with
/// a 4xx that does not echo them, and nothing is written.
/// </summary>
public sealed class TarHeaderBoundsTests : IAsyncLifetime
{
    private static readonly byte[] Good = "# Fine\n\nA fine document."u8.ToArray();
    private ServiceHost _host = null!;

    public async Task InitializeAsync()
    {
        _host = await ServiceHost.StartAsync();
        await _host.CreateCollectionAsync("kb");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    public static TheoryData<string> Hostile => new() { "gnu-long-name", "gnu-long-link", "pax-path", "pax-many-records", "long-ustar-path" };

    [Theory]
    [MemberData(nameof(Hostile))]
    public async Task Oversized_tar_header_is_refused_without_echo_and_nothing_is_written(string name)
    {
        var response = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(Build(name), "application/gzip"));
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: {(int)response.StatusCode}");
        await AssertProblemAsync(response, response.StatusCode, "Rag:Sync:", maxBodyChars: 1_000);
        Assert.Equal(0, await DocumentCountAsync(_host.Client, "kb"));
    }

    [Fact]
    public async Task Archive_of_a_folder_made_with_tar_dash_C_dot_is_accepted()
    {
        var archive = TestArchives.TarGz(tar =>
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "./docs/"));
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "./docs/fine.md") { DataStream = new MemoryStream(Good) });
        });
        var response = await _host.Client.PostAsync("/v1/collections/kb/sync", TestArchives.Body(archive, "application/gzip"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var document = await _host.Client.GetAsync("/v1/collections/kb/documents/docs/fine.md");
        Assert.Equal(HttpStatusCode.OK, document.StatusCode);
    }

    private static byte[] Build(string name)
    {
        // 4 MiB of one letter compresses to a few KiB, like the hostile 200 MB name in a 194 KB tar.gz.
        var huge = "docs/" + new string('a', 4 * 1024 * 1024) + ".md";
        return name switch
        {
            "gnu-long-name" => TestArchives.TarGz(tar =>
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fine.md") { DataStream = new MemoryStream(Good) });
                tar.WriteEntry(new GnuTarEntry(TarEntryType.RegularFile, huge) { DataStream = new MemoryStream(Good) });
            }),
            "gnu-long-link" => TestArchives.TarGz(tar =>
                tar.WriteEntry(new GnuTarEntry(TarEntryType.SymbolicLink, "link.md") { LinkName = huge })),
            "pax-path" => TestArchives.TarGz(tar =>
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fine.md") { DataStream = new MemoryStream(Good) });
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, huge) { DataStream = new MemoryStream(Good) });
            }),
            "pax-many-records" => TestArchives.TarGz(tar =>
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "fine.md",
                    Enumerable.Range(0, 100_000).ToDictionary(i => $"RAG.attr{i}", _ => "value")) { DataStream = new MemoryStream(Good) })),
            // Within the pax record bound, but longer than any path the service accepts.
            "long-ustar-path" => TestArchives.TarGz(tar =>
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "d/" + new string('b', 20_000) + ".md") { DataStream = new MemoryStream(Good) })),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }
}
