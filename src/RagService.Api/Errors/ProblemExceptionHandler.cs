using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using RagService.Api.Ingestion;
using RagService.Core.Documents;
using RagService.Core.Prompting;
using RagService.Core.Retrieval;
using RagService.Core.Storage;

namespace RagService.Api.Errors;

/// <summary>Maps every exception that escapes an endpoint to a problem detail that says what to fix.</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, IEnumerable<IStoreFaults> storeFaults, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        // The store adapter says which of its own exceptions mean "the store cannot be used now".
        exception = storeFaults.Select(f => f.Translate(exception)).FirstOrDefault(t => t is not null) ?? exception;
        var (status, title, detail) = exception switch
        {
            ApiProblemException p => (p.Status, p.Title, p.Message),
            // 413 and 415 get their detail from ProblemDefaults, like the same refusals made by the framework itself.
            BadHttpRequestException b => (b.StatusCode, "Invalid request", b.StatusCode is 413 or 415 ? null : Describe(b)),
            CollectionExistsException c => (409, "Conflict", c.Message),
            CollectionGoneException g => (409, "Collection gone", g.Message),
            DocumentRejectedException r => r.Reason switch
            {
                DocumentRejection.TooLarge => (413, "Document too large", r.Message),
                DocumentRejection.Empty => (422, "Empty document", r.Message),
                _ => (400, "Invalid request", r.Message),
            },
            ExtractionException x => (StatusFor(x.Failure), "Document could not be read", x.Message),
            StageUnavailableException s => (400, "Stage not available", s.Message),
            LlmUnavailableException l => Describe(l),
            StorageUnavailableException u => (503, "Storage unavailable", u.Message),
            Replication.VersionNotReachedException v => (503, "Version not reached", v.Message),
            _ => (500, "Internal error", "the service failed; see the server log for the request id"),
        };

        if (status >= 500)
        {
            logger.RequestFailed(exception, InputEcho.Of(http.Request.Path));
        }

        http.Response.StatusCode = status;
        if (exception is Replication.VersionNotReachedException notReached)
        {
            http.Response.Headers.RetryAfter = notReached.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        if (IErrorBodyWriter.Of(http) is { } writer)
        {
            await writer.WriteAsync(http, status, title, detail ?? ReasonPhrase(status));
            return true;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail, Instance = InputEcho.Of(http.Request.Path) },
        });
    }

    /// <summary>502 or 504 with the failure's sanitised reason (never the upstream's body).</summary>
    public static (int Status, string Title, string Detail) Describe(LlmUnavailableException l) =>
        (l.TimedOut ? 504 : 502, l.TimedOut ? "LLM timed out" : "LLM failed", l.Message + "; the retrieved sources are still available from the search endpoint");

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    private static int StatusFor(ExtractionFailure failure) => failure switch
    {
        ExtractionFailure.UnsupportedFormat => 415,
        ExtractionFailure.TooLarge => 413,
        _ => 422,
    };

    private static string Describe(BadHttpRequestException b)
    {
        // JSON errors arrive wrapped: give the parser's message (it names the line and position).
        var json = b.InnerException as System.Text.Json.JsonException;
        return json is not null ? $"the body is not valid JSON: {json.Message}" : b.Message;
    }
}
