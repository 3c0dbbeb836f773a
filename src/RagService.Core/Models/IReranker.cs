namespace RagService.Core.Models;

/// <summary>A cross-encoder: scores how well each passage answers the query (higher is better).</summary>
public interface IReranker
{
    string ModelId { get; }

    /// <summary>Where the model runs, e.g. "cpu" or "cuda:0"; null when not applicable.</summary>
    string? ExecutionProvider => null;

    /// <summary>One score per passage, in input order.</summary>
    Task<float[]> ScoreAsync(string query, IReadOnlyList<string> passages, CancellationToken cancellationToken);
}
