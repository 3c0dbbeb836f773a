using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using Microsoft.SemanticKernel;
using RagService.Core.Prompting;

namespace RagService.Llm.Chat;

/// <summary>
/// Turns whatever an LLM call threw into a short, sanitised reason: the status code or the kind of network failure,
/// never the upstream's body or message (it may hold internal hosts, keys or model details).
/// </summary>
internal static class LlmFailure
{
    public static bool IsTransient(Exception e) => StatusOf(e) switch
    {
        { } status => status is 408 or 429 or >= 500,
        null => Find<HttpRequestException>(e) is not null || Find<IOException>(e) is not null,
    };

    public static LlmUnavailableException Describe(Exception e)
    {
        if (e is LlmUnavailableException known)
        {
            return known;
        }

        if (StatusOf(e) is { } status)
        {
            var hint = status switch
            {
                401 or 403 => ": check the API key (RAG_LLM_KEY)",
                404 => ": check the URL and model (RAG_LLM_URL, RAG_LLM_MODEL)",
                429 => ": rate limited",
                _ => "",
            };
            return new LlmUnavailableException($"the LLM endpoint answered HTTP {status} ({ReasonOf(status)}){hint}", timedOut: false, e);
        }

        if (NetworkReason(e) is { } network)
        {
            return new LlmUnavailableException($"the LLM endpoint could not be reached ({network})", timedOut: false, e);
        }

        return new LlmUnavailableException("the LLM endpoint sent a response that could not be read", timedOut: false, e);
    }

    public static LlmUnavailableException Timeout(string what, TimeSpan limit) =>
        new($"the LLM endpoint {what} {limit.TotalSeconds:0.#} s", timedOut: true);

    /// <summary>The network failure in words ("connection refused"), or null when the failure is not a network one.</summary>
    public static string? NetworkReason(Exception e)
    {
        if (Find<SocketException>(e) is { } socket)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not found",
                SocketError.TimedOut => "connection timed out",
                SocketError.ConnectionReset => "connection reset",
                SocketError.HostUnreachable or SocketError.NetworkUnreachable => "host unreachable",
                _ => "network error",
            };
        }

        if (Find<HttpRequestException>(e) is { } http)
        {
            return http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "host name not found",
                HttpRequestError.SecureConnectionError => "TLS handshake failed",
                HttpRequestError.ResponseEnded => "connection closed before the response ended",
                _ => "network error",
            };
        }

        return Find<IOException>(e) is not null ? "connection closed before the response ended" : null;
    }

    // SK wraps failed calls in HttpOperationException, but a stream that fails while opening surfaces the OpenAI SDK's
    // ClientResultException (status 0 = no response at all).
    private static int? StatusOf(Exception e) =>
        Find<HttpOperationException>(e)?.StatusCode is { } code ? (int)code
        : Find<System.ClientModel.ClientResultException>(e) is { Status: > 0 } result ? result.Status
        : Find<HttpRequestException>(e)?.StatusCode is { } c ? (int)c
        : null;

    private static string ReasonOf(int status) => Enum.IsDefined(typeof(HttpStatusCode), status)
        ? System.Text.RegularExpressions.Regex.Replace(((HttpStatusCode)status).ToString(), "(?<=[a-z])(?=[A-Z])", " ")
        : "error";

    private static T? Find<T>(Exception? e)
        where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }

            if (e is AggregateException { InnerExceptions.Count: > 0 } aggregate && Find<T>(aggregate.InnerExceptions[0]) is { } inner)
            {
                return inner;
            }
        }

        return null;
    }
}
