using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace RagService.Core.Logging;

/// <summary>The logger a registration hands to a constructor: the host's when logging is registered, else a null logger.</summary>
public static class ServiceProviderLoggers
{
    public static ILogger<T> LoggerFor<T>(this IServiceProvider services) => services.GetService<ILogger<T>>() ?? NullLogger<T>.Instance;
}
