namespace RagService.Api.RateLimiting;

/// <summary>The "Rag:RateLimits" section: fixed windows per API key and per client IP address.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Rag:RateLimits";

    /// <summary>Requests one key may make per window, whichever address it comes from.</summary>
    public WindowLimit PerKey { get; set; } = new() { PermitLimit = 3_000 };

    /// <summary>Requests one address may make per window, with or without a key (anonymous health probes count too).</summary>
    public WindowLimit PerIp { get; set; } = new() { PermitLimit = 6_000 };

    public void Validate()
    {
        PerKey.Validate("PerKey");
        PerIp.Validate("PerIp");
    }
}

public sealed class WindowLimit
{
    /// <summary>Requests per window; 0 turns this limit off.</summary>
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    internal void Validate(string name)
    {
        if (PermitLimit < 0 || Window <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"Rag:RateLimits:{name}: PermitLimit must be >= 0 (0 = off) and Window positive");
        }
    }
}
