using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using RagService.Core.Documents;

namespace RagService.Extraction.Isolation;

public static class ExtractionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the service's <see cref="IDocumentExtractor"/>: in worker processes or in process as
    /// <paramref name="isolation"/> says, every refusal logged. Both option sets are validated here, at start.
    /// </summary>
    public static IServiceCollection AddDocumentExtraction(this IServiceCollection services, ExtractionOptions extraction, ExtractionIsolationOptions isolation)
    {
        extraction.Validate();
        isolation.Validate();
        services.AddSingleton<IDocumentExtractor>(sp =>
        {
            IDocumentExtractor inner = isolation.Isolation == ExtractionIsolation.Process
                ? new IsolatedDocumentExtractor(extraction, isolation)
                : new DocumentExtractor(extraction);
            return new RefusalLoggingExtractor(inner, sp.GetRequiredService<ILogger<RefusalLoggingExtractor>>());
        });
        return services;
    }
}
