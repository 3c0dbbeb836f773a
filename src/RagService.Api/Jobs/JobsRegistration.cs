using RagService.Api.Hosting;

namespace RagService.Api.Jobs;

internal static class JobsRegistration
{
    /// <summary>The job queue and its worker (section Rag:Sync, validated here); uploaded job content is spooled beside the database (".spool").</summary>
    public static IServiceCollection AddRagJobs(this IServiceCollection services, RagOptions rag)
    {
        rag.Sync.Validate();
        services.AddSingleton<JobQueue>();
        services.AddSingleton(new JobContentSpool(Path.GetFullPath(rag.DatabasePath) + ".spool"));
        services.AddSingleton<CollectionJobLocks>();
        services.AddSingleton<SyncJobRunner>();
        services.AddSingleton<SyncSubmission>();
        return services.AddHostedService<JobWorker>();
    }
}
