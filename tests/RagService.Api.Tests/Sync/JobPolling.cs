using System.Net.Http.Json;
using System.Text.Json;

namespace RagService.Api.Tests.Sync;

internal static class JobPolling
{
    public static async Task<JsonElement> GetJobAsync(HttpClient client, string id, bool lists = true) =>
        await client.GetFromJsonAsync<JsonElement>($"/v1/jobs/{id}?lists={(lists ? "true" : "false")}");

    /// <summary>Polls until the job is finished. The deadline only stops a hung test; nothing asserts on time.</summary>
    public static async Task<JsonElement> WaitAsync(HttpClient client, string id)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var job = await GetJobAsync(client, id, lists: false);
            if (job.GetProperty("finishedAt").ValueKind != JsonValueKind.Null)
            {
                return await GetJobAsync(client, id);
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not finish: {job}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Polls until the running job has recorded <paramref name="done"/> items and returns it. A job held inside a document
    /// (say, by the fake LLM) has read ahead of its writes, so the held moment comes before the earlier documents' writes
    /// finish; they finish since nothing holds them. The deadline only stops a hung test.
    /// </summary>
    public static async Task<JsonElement> WaitForDoneAsync(HttpClient client, string id, int done)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            var job = await GetJobAsync(client, id, lists: false);
            if (job.GetProperty("progress").GetProperty("done").GetInt32() >= done || job.GetProperty("finishedAt").ValueKind != JsonValueKind.Null)
            {
                return job;
            }

            Assert.True(DateTime.UtcNow < deadline, $"job {id} did not reach {done} done items: {job}");
            await Task.Delay(50);
        }
    }

    public static string[] Paths(JsonElement job, string list) =>
        job.GetProperty(list).EnumerateArray().Select(e => e.GetString()!).Order(StringComparer.Ordinal).ToArray();

    public static int Count(JsonElement job, string name) => job.GetProperty("counts").GetProperty(name).GetInt32();
}
