using System.Net;

namespace RagService.Api.Tests.Auth;

/// <summary>Two requests per hour-long window make the third one refused deterministically, whatever the machine's speed.</summary>
public sealed class RateLimitTests
{
    [Fact]
    public async Task A_key_over_its_limit_gets_429_with_retry_after_while_another_key_goes_on()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:RateLimits:PerKey:PermitLimit=3", "--Rag:RateLimits:PerKey:Window=01:00:00");
        var reader = await Keys.CreateAsync(host.Client, "busy-bot", "reader");
        var other = await Keys.CreateAsync(host.Client, "quiet-bot", "reader");
        var operations = await Keys.CreateAsync(host.Client, "ops", "admin");
        using var busy = host.CreateClient(reader.Key);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync("/v1/collections")).StatusCode);
        }

        var refused = await busy.GetAsync("/v1/collections");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.Contains("rate limit", (await Keys.ProblemAsync(refused)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var quiet = host.CreateClient(other.Key);
        Assert.Equal(HttpStatusCode.OK, (await quiet.GetAsync("/v1/collections")).StatusCode);

        using var admin = host.CreateClient(operations.Key);
        var metrics = await admin.GetStringAsync("/metrics");
        Assert.Contains("rag_ratelimit_rejections", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_address_over_its_limit_gets_429_even_without_a_key()
    {
        await using var host = await ServiceHost.StartAsync("--Rag:RateLimits:PerIp:PermitLimit=2", "--Rag:RateLimits:PerIp:Window=01:00:00");
        using var anonymous = host.CreateClient(null);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/health/live")).StatusCode);
        var refused = await anonymous.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.Contains("Retry-After"));
    }
}
