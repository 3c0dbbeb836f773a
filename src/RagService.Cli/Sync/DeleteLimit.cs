using System.Globalization;

namespace RagService.Cli.Sync;

/// <summary>
/// Whether a sync may delete what its plan deletes without --yes: at most --max-deletes documents and at most
/// --max-delete-share of the collection's documents. A plan over either limit is shown and not carried out, so a
/// wrong folder (an empty checkout, a typo in the path) cannot silently empty a collection.
/// </summary>
internal static class DeleteLimit
{
    /// <returns>Why the plan needs --yes, or null when it is within both limits.</returns>
    public static string? Exceeded(int deletes, int documents, int maxDeletes, double maxDeleteShare)
    {
        if (deletes > maxDeletes)
        {
            return $"it deletes {deletes} documents, more than --max-deletes {maxDeletes}";
        }

        return documents > 0 && deletes > maxDeleteShare * documents
            ? $"it deletes {deletes} of the collection's {documents} documents, more than --max-delete-share {maxDeleteShare.ToString(CultureInfo.InvariantCulture)}"
            : null;
    }
}
