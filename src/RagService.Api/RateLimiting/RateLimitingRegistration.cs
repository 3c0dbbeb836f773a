using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using RagService.Api.Security;
using RagService.Core.Diagnostics;

namespace RagService.Api.RateLimiting;

/// <summary>ASP.NET Core's rate limiter, chained: per client address, then per API key. A refusal is a 429 problem with Retry-After.</summary>
public static class RateLimitingRegistration
{
    private static readonly Counter<long> Rejections =
        RagTelemetry.Meter.CreateCounter<long>("rag.ratelimit.rejections", "{request}", "Requests refused with 429 by the rate limiter");

    public static IServiceCollection AddRagRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        options.Validate();
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                PerPartition(options.PerIp, http => http.Connection.RemoteIpAddress?.ToString()),
                // With Rag:Auth:Mode=none there are no keys: only the per-address limit applies.
                PerPartition(options.PerKey, http => Caller.From(http.User)?.KeyId is { } id && id != ApiKeyAuthenticationHandler.NoKeyId ? id : null));
            o.OnRejected = (context, ct) => RejectAsync(context, options, ct);
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> PerPartition(WindowLimit limit, Func<HttpContext, string?> partition) =>
        PartitionedRateLimiter.Create<HttpContext, string>(http =>
            partition(http) is { } key && limit.PermitLimit > 0
                ? RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.PermitLimit,
                    Window = limit.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(""));

    private static async ValueTask RejectAsync(OnRejectedContext context, RateLimitOptions options, CancellationToken ct)
    {
        var http = context.HttpContext;
        var caller = Caller.From(http.User);
        Rejections.Add(1, new KeyValuePair<string, object?>("caller", caller is null ? "anonymous" : "key"));
        var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? wait
            : TimeSpan.FromTicks(Math.Max(options.PerKey.Window.Ticks, options.PerIp.Window.Ticks));
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problems = http.RequestServices.GetRequiredService<IProblemDetailsService>();
        await AuthProblemResultHandler.WriteAsync(problems, http, StatusCodes.Status429TooManyRequests, "Too many requests",
            $"the rate limit (Rag:RateLimits:PerKey / PerIp) is used up for {(caller is null ? "this address" : $"key {caller.KeyId} or its address")}; retry in {seconds} s");
    }
}
