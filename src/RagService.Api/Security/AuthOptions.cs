namespace RagService.Api.Security;

/// <summary>The "Rag:Auth" section: how callers prove who they are.</summary>
public sealed class AuthOptions
{
    public const string Section = "Rag:Auth";

    /// <summary>Shortest bootstrap key accepted: it is an admin secret, so it must not be guessable.</summary>
    public const int MinBootstrapKeyLength = 24;

    /// <summary>"keys" (default): every route but /health/live and the minimal /health/ready needs an API key. "none": local development only.</summary>
    public string Mode { get; set; } = "keys";

    /// <summary>An admin key taken from configuration (environment, arguments). Never has a default.</summary>
    public string? BootstrapKey { get; set; }

    /// <summary>A file whose first line is the bootstrap admin key (e.g. a mounted secret).</summary>
    public string? BootstrapKeyFile { get; set; }

    /// <summary>Active keys one client may hold at once: two lets a client roll a new key out before revoking the old one.</summary>
    public int MaxActiveKeysPerClient { get; set; } = 2;

    /// <summary>A key's "last used" time is written at most this often, so reads do not turn into a write per request.</summary>
    public TimeSpan LastUsedResolution { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long, in seconds, a replica answers with a key record it read from the store before reading it again: a key
    /// revoked through another replica is refused here within this time (at once through this one). 0: read every request.
    /// </summary>
    public int CacheSeconds { get; set; } = 5;

    public bool KeysRequired => Mode.Equals("keys", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws with the key to fix when the section is inconsistent.</summary>
    public void Validate()
    {
        if (!KeysRequired && !Mode.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Rag:Auth:Mode must be \"keys\" or \"none\", not \"{Mode}\"");
        }

        if (MaxActiveKeysPerClient < 1)
        {
            throw new InvalidOperationException("Rag:Auth:MaxActiveKeysPerClient must be at least 1");
        }

        if (CacheSeconds is < 0 or > 300)
        {
            throw new InvalidOperationException($"Rag:Auth:CacheSeconds must be between 0 (read the key store on every request) and 300, not {CacheSeconds}");
        }

        if (BootstrapKey is not null && BootstrapKeyFile is not null)
        {
            throw new InvalidOperationException("set either Rag:Auth:BootstrapKey or Rag:Auth:BootstrapKeyFile, not both");
        }
    }

    /// <summary>The bootstrap key from configuration or its file; null when neither is set.</summary>
    public string? ReadBootstrapKey()
    {
        var key = BootstrapKey;
        if (!string.IsNullOrEmpty(BootstrapKeyFile))
        {
            if (!File.Exists(BootstrapKeyFile))
            {
                throw new InvalidOperationException($"Rag:Auth:BootstrapKeyFile '{BootstrapKeyFile}' does not exist");
            }

            key = File.ReadLines(BootstrapKeyFile).FirstOrDefault();
        }

        key = key?.Trim();
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        if (key.Length < MinBootstrapKeyLength)
        {
            throw new InvalidOperationException($"the bootstrap key must be at least {MinBootstrapKeyLength} characters; generate one, e.g. with 'openssl rand -hex 32'");
        }

        return key;
    }
}
