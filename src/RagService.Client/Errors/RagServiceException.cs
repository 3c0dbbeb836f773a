using System.Net;

namespace RagService.Client.Errors;

/// <summary>The service refused or failed a request; carries its RFC 7807 problem detail.</summary>
public class RagServiceException(HttpStatusCode status, string title, string? detail, string? instance)
    : Exception(detail is null ? $"{(int)status} {title}" : $"{(int)status} {title}: {detail}")
{
    /// <summary>The HTTP status of the refusal.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <summary>The problem's short title.</summary>
    public string Title { get; } = title;

    /// <summary>What to fix, as the service said it.</summary>
    public string? Detail { get; } = detail;

    /// <summary>The path the problem is about.</summary>
    public string? Instance { get; } = instance;
}

/// <summary>400, 413, 415 or 422: the request itself must change.</summary>
public sealed class RagServiceBadRequestException(HttpStatusCode status, string title, string? detail, string? instance)
    : RagServiceException(status, title, detail, instance);

/// <summary>401 or 403: a missing, wrong or insufficient API key.</summary>
public sealed class RagServiceAuthorizationException(HttpStatusCode status, string title, string? detail, string? instance)
    : RagServiceException(status, title, detail, instance);

/// <summary>404: the collection, document or job does not exist.</summary>
public sealed class RagServiceNotFoundException(HttpStatusCode status, string title, string? detail, string? instance)
    : RagServiceException(status, title, detail, instance);

/// <summary>409: e.g. the collection exists already.</summary>
public sealed class RagServiceConflictException(HttpStatusCode status, string title, string? detail, string? instance)
    : RagServiceException(status, title, detail, instance);

/// <summary>429 or 503 after the client's retries: the service is busy.</summary>
public sealed class RagServiceBusyException(HttpStatusCode status, string title, string? detail, string? instance, TimeSpan? retryAfter)
    : RagServiceException(status, title, detail, instance)
{
    /// <summary>How long the service asked to wait.</summary>
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>502 or 504: the service's LLM failed or timed out; search still works.</summary>
public sealed class RagServiceLlmException(HttpStatusCode status, string title, string? detail, string? instance)
    : RagServiceException(status, title, detail, instance)
{
    /// <summary>True for a 504 (the LLM timed out), false for a 502 (it failed).</summary>
    public bool TimedOut => Status == HttpStatusCode.GatewayTimeout;
}
