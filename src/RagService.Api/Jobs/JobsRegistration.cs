using RagService.Api.Hosting;

namespace RagService.Api.Jobs;

internal static class JobsRegistration
{
    /// <summary>The job worker and what it shares with sync requests (section Rag:Sync, validated here); jobs, their
    /// leases and their files live in the store.</summary>
    public static IServiceCollection AddRagJobs(this IServiceCollection services, RagOptions rag)
    {
        rag.Sync.Validate();
        services.AddSingleton<JobWakeup>();
        services.AddSingleton<JobLeaseOwner>();
        services.AddSingleton<SyncJobRunner>();
        services.AddSingleton<SyncSubmission>();
        return services.AddHostedService<JobWorker>();
    }
}
