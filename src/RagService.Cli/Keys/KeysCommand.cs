using System.CommandLine;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using RagService.Cli.CommandLine;
using RagService.Cli.Terminal;
using Spectre.Console;

namespace RagService.Cli.Keys;

/// <summary>rag keys create|list|revoke: the admin routes under /v1/keys, called with an admin key.</summary>
internal static class KeysCommand
{
    public static Command CreateCommand()
    {
        var service = new ServiceConnection("the admin key, sent as X-Api-Key (default $RAG_API_KEY)", recursive: true);
        var client = OptionRules.Create<string>("--client", "who the key is for", "NAME");
        var role = OptionRules.Create<string>("--role", "reader | writer | admin", "ROLE");
        client.Required = role.Required = true;
        var collections = OptionRules.Create<string>("--collections", "scope the key to these collections (default: every collection)", "A,B");
        var principals = OptionRules.Create<string[]>("--principal",
            "a principal of the key's own, e.g. group:hr or user:alice@corp.example (repeat for more): it reads the documents listing one", "P");
        var delegateWithin = OptionRules.Create<string[]>("--delegate-within",
            "give the key the delegate permission: it may act for end users whose principals match a pattern ('*' = any characters; repeat for more)", "PATTERN");
        var create = new Command("create", "create a key and print it once: store it then") { client, role, collections, principals, delegateWithin };
        create.SetAction(parse => WithServiceAsync(parse, service, http => CreateAsync(http, new KeyRequest(parse.GetRequiredValue(client), parse.GetRequiredValue(role),
            parse.GetValue(collections), parse.GetValue(principals), parse.GetValue(delegateWithin)))));
        var list = new Command("list", "id, client, role, active/revoked, last used and scope of every key (never secrets)");
        list.SetAction(parse => WithServiceAsync(parse, service, ListAsync));
        var id = new Argument<string>("ID") { Description = "the key id (see 'rag keys list')" };
        var revoke = new Command("revoke", "revoke a key") { id };
        revoke.SetAction(parse => WithServiceAsync(parse, service, http => RevokeAsync(http, parse.GetRequiredValue(id))));
        return new Command("keys", "Manages API keys (needs an admin key for every collection). 'create' prints the new key once: store it then. A " +
            "client may hold two active keys, so a new key can be rolled out before the old one is revoked.")
        {
            create, list, revoke, service.Url, service.ApiKey,
        };
    }

    private static async Task<int> WithServiceAsync(ParseResult parse, ServiceConnection service, Func<HttpClient, Task<int>> action)
    {
        using var http = new HttpClient { BaseAddress = service.BaseUrl(parse), Timeout = TimeSpan.FromMinutes(1) };
        if (service.Key(parse) is { } apiKey)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        try
        {
            return await action(http);
        }
        catch (KeysHttp.ServiceException e)
        {
            Console.Error.WriteLine($"rag keys: {e.Message}");
            return 1;
        }
        catch (HttpRequestException e)
        {
            Console.Error.WriteLine($"rag keys: cannot reach {http.BaseAddress}: {e.Message}");
            return 1;
        }
    }

    /// <summary>What 'create' was asked for; principals and patterns go to the service unchanged, which validates them as for any API call.</summary>
    private sealed record KeyRequest(string Client, string Role, string? Collections, string[]? Principals, string[]? DelegateWithin);

    private static async Task<int> CreateAsync(HttpClient http, KeyRequest request)
    {
        var created = await KeysHttp.EnsureSuccessAsync(await http.PostAsJsonAsync("v1/keys", new
        {
            client = request.Client,
            role = request.Role,
            collections = request.Collections?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            principals = request.Principals is { Length: > 0 } p ? p : null,
            delegateWithin = request.DelegateWithin is { Length: > 0 } d ? d : null,
        }));
        Console.WriteLine($"id:     {created.GetProperty("id").GetString()}");
        Console.WriteLine($"key:    {created.GetProperty("key").GetString()}");
        Console.WriteLine($"client: {created.GetProperty("client").GetString()}  role: {created.GetProperty("role").GetString()}  collections: {Scope(created)}");
        Console.WriteLine($"principals: {List(created, "principals")}  delegate within: {List(created, "delegateWithin")}");
        Console.Error.WriteLine("keys: the key is shown this once; only its hash is stored");
        return 0;
    }

    private static async Task<int> ListAsync(HttpClient http)
    {
        var keys = await KeysHttp.EnsureSuccessAsync(await http.GetAsync("v1/keys"));
        string[] columns = ["ID", "CLIENT", "ROLE", "STATE", "LAST USED", "COLLECTIONS"];
        var rows = keys.EnumerateArray().Select(k => new[]
        {
            k.GetProperty("id").GetString() ?? "",
            k.GetProperty("client").GetString() ?? "",
            k.GetProperty("role").GetString() ?? "",
            k.GetProperty("active").GetBoolean() ? "active" : "revoked",
            k.GetProperty("lastUsedAt") is { ValueKind: JsonValueKind.String } t ? t.GetDateTimeOffset().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "never",
            Scope(k),
        }).ToList();
        if (TerminalOutput.IsInteractive)
        {
            var table = new Table().AddColumns(columns);
            rows.ForEach(row => table.AddRow(row.Select(Markup.Escape).ToArray()));
            TerminalOutput.Out.Write(table);
            return 0;
        }

        // Redirected: the fixed-width columns scripts read.
        int[] widths = [12, 20, 6, 7, 20, 0];
        foreach (var row in rows.Prepend(columns))
        {
            Console.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))));
        }

        return 0;
    }

    private static async Task<int> RevokeAsync(HttpClient http, string id)
    {
        var response = await http.DeleteAsync($"v1/keys/{Uri.EscapeDataString(id)}");
        if (!response.IsSuccessStatusCode)
        {
            await KeysHttp.EnsureSuccessAsync(response);
        }

        Console.WriteLine($"revoked {id}");
        return 0;
    }

    private static string List(JsonElement key, string property) => key.TryGetProperty(property, out var list) && list.ValueKind == JsonValueKind.Array
        ? string.Join(',', list.EnumerateArray().Select(c => c.GetString()))
        : "-";

    private static string Scope(JsonElement key) => key.GetProperty("collections") is { ValueKind: JsonValueKind.Array } list
        ? string.Join(',', list.EnumerateArray().Select(c => c.GetString()))
        : "*";
}
