namespace RagService.Storage.Sqlite;

/// <summary>Analyzed terms are stored space-joined in chunk_terms (the analyzers never emit a space inside a term).</summary>
internal static class ChunkTerms
{
    public static string Join(IReadOnlyList<string> terms) => string.Join(' ', terms);

    public static string[] Split(string terms) => terms.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
