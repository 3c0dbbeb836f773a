using RagService.Client.Sync;

namespace RagService.Cli.Sync;

/// <summary>Prints a sync plan: one line of counts, then every path to add (+), update (~), delete (-) and whose access alone changes (=).</summary>
internal static class SyncPlanPrinter
{
    public static void Print(TextWriter output, string collection, FolderSyncPlan plan, bool createsCollection)
    {
        output.WriteLine($"plan for collection '{collection}'{(createsCollection ? " (created first)" : "")}: " +
            $"{plan.Added.Count} to add, {plan.Updated.Count} to update, {plan.Unchanged} unchanged{(plan.AccessChanged.Count > 0 ? $" ({plan.AccessChanged.Count} of them with new access)" : "")}, {plan.Deleted.Count} to delete");
        PrintPaths(output, '+', plan.Added);
        PrintPaths(output, '~', plan.Updated);
        PrintPaths(output, '-', plan.Deleted);
        PrintPaths(output, '=', plan.AccessChanged);
    }

    public static void PrintPaths(TextWriter output, char mark, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            output.WriteLine($"  {mark} {path}");
        }
    }
}
