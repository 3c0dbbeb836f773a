using System.Net.Http.Json;
using System.Text.Json;
using RagService.Client.Errors;
using RagService.Client.Models;

namespace RagService.Client.Tests;

/// <summary>Access lists and delegation through the typed client, against the real service.</summary>
public sealed class ClientAccessTests
{
    [Fact]
    public async Task Access_lists_are_written_read_and_changed_and_a_delegating_client_reads_as_its_user()
    {
        await using var f = await ClientFixture.StartAsync("--Rag:Bm25Engine=memory");
        var admin = f.Client;
        await admin.CreateCollectionAsync(new CollectionSettings("kb", UnlistedAccess: "closed"));
        Assert.Equal("closed", (await admin.ListCollectionsAsync()).Single().UnlistedAccess);
        await admin.AddDocumentAsync("kb", new DocumentInput("Payroll runs on the 25th.", Id: "payroll", Access: ["group:hr"]));
        await admin.AddDocumentAsync("kb", new DocumentInput("Holiday payroll runs early.", Id: "holidays"));
        Assert.Equal(["group:hr"], (await admin.GetDocumentAsync("kb", "payroll")).Access);

        var keyResponse = await f.Host.Client.PostAsJsonAsync("/v1/keys", new { client = "bot", role = "reader", delegateWithin = new[] { "user:*", "group:*" } });
        var botKey = (await keyResponse.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        using var bot = new RagServiceClient(admin.Options with { ApiKey = botKey });

        var hr = bot.ForUser("user:alice@corp.example", "group:hr");
        Assert.Equal(["payroll"], (await hr.SearchAsync("kb", "payroll", new SearchOptions(Mode: "bm25"))).Hits.Select(h => h.DocumentId));
        Assert.Empty((await bot.ForUser("user:bob@corp.example").SearchAsync("kb", "payroll", new SearchOptions(Mode: "bm25"))).Hits);
        await Assert.ThrowsAsync<RagServiceNotFoundException>(() => bot.ForUser("user:bob@corp.example").GetDocumentAsync("kb", "payroll"));

        // opening the closed collection's unlisted document to a group shows it at the next search, without re-ingesting
        var changed = await admin.SetDocumentAccessAsync("kb", "holidays", ["group:all-staff"]);
        Assert.Equal(["group:all-staff"], changed.Access);
        Assert.Equal(["holidays"], (await bot.ForUser("group:all-staff").SearchAsync("kb", "payroll", new SearchOptions(Mode: "bm25"))).Hits.Select(h => h.DocumentId));
        Assert.Equal(1, (await bot.ForUser("group:all-staff").GetCollectionAsync("kb")).Documents);
    }
}
