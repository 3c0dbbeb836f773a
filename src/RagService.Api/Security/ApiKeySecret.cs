using System.Security.Cryptography;
using System.Text;

namespace RagService.Api.Security;

/// <summary>
/// Key format: "rag_" + 12 hex characters of public id + "_" + 43 characters of base64url secret (256 random bits).
/// The id finds the stored record; only SHA-256 of the whole key is stored and compared in constant time.
/// A key this random needs no slow password hash: there is nothing to brute-force from its SHA-256.
/// </summary>
internal static class ApiKeySecret
{
    private const string Prefix = "rag_";
    private const int IdLength = 12;
    private static readonly System.Buffers.SearchValues<char> Hex = System.Buffers.SearchValues.Create("0123456789abcdef");

    public static (string Id, string Key) Generate()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(IdLength / 2));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (id, $"{Prefix}{id}_{secret}");
    }

    /// <summary>The public id of a key in the generated format, or null for anything else.</summary>
    public static string? IdOf(string key) =>
        key.Length > Prefix.Length + IdLength + 1 && key.StartsWith(Prefix, StringComparison.Ordinal) && key[Prefix.Length + IdLength] == '_'
            && key.AsSpan(Prefix.Length, IdLength).ContainsAnyExcept(Hex) == false
            ? key.Substring(Prefix.Length, IdLength)
            : null;

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static bool Matches(string key, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}
