using RagService.Core.ChangeLog;
using RagService.Core.Logging;

namespace RagService.Api.Replication;

internal static class ReplicationComposition
{
    /// <summary>
    /// Rag:ChangeLog: the follower that keeps this replica's indexes caught up with the store, and its readiness
    /// component; Rag:Consistency: the versions on writes and the minimum version of searches (read-your-writes).
    /// </summary>
    public static void AddIndexFollower(IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(ChangeLogOptions.Section).Get<ChangeLogOptions>() ?? new ChangeLogOptions();
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(sp => new IndexFollower(sp.GetRequiredService<IChangeFeed>(), sp.GetServices<Core.Indexing.ISearchIndex>(),
            sp.LoggerFor<IndexFollower>()));
        services.AddSingleton<Core.Models.IComponentHealth>(sp => sp.GetRequiredService<IndexFollower>());
        services.AddHostedService<ChangeFollowerService>();
        var consistency = (configuration.GetSection(ConsistencyOptions.Section).Get<ConsistencyOptions>() ?? new ConsistencyOptions()).Validate();
        services.AddSingleton(sp => new CollectionVersions(sp.GetRequiredService<Core.Indexing.IIndexSource>(), sp.GetServices<Core.Indexing.ISearchIndex>(), consistency));
    }
}
