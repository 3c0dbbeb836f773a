using System.Net.Http.Headers;
using RagService.Core.Models;
using RagService.Core.Resilience;
using RagService.Llm.Chat;

namespace RagService.Llm.Health;

/// <summary>
/// Readiness of the LLM endpoint, found by really asking it (GET {Url}/models, which every OpenAI-compatible server
/// serves) and reused for <see cref="LlmOptions.ReadinessCacheTime"/> so health checks do not hammer the model. While
/// the chat calls' circuit is open the endpoint is failed, whatever its model list says.
/// </summary>
public sealed class LlmReadinessProbe : IDisposable
{
    private readonly LlmOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly DependencyCircuit? _circuit;
    private (ComponentStatus Status, DateTimeOffset At)? _last;

    public LlmReadinessProbe(LlmOptions options, TimeProvider? time = null, DependencyCircuit? circuit = null)
    {
        _circuit = circuit;
        options.Validate();
        _options = options;
        _time = time ?? TimeProvider.System;
        _http = new HttpClient { BaseAddress = options.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }
    }

    public async Task<ComponentStatus> CheckAsync(CancellationToken ct)
    {
        if (_circuit?.OpenUntil is not null)
        {
            return ComponentStatus.Failed("llm", $"{_options.Model} at {_options.BaseUri.Authority}: chat calls failed repeatedly, {_circuit.DescribeOpen()}; asks answer 502 until then");
        }

        await _gate.WaitAsync(ct);
        try
        {
            if (_last is { } last && _time.GetUtcNow() - last.At < _options.ReadinessCacheTime)
            {
                return last.Status;
            }

            var status = await ProbeAsync(ct);
            _last = (status, _time.GetUtcNow());
            return status;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<ComponentStatus> ProbeAsync(CancellationToken ct)
    {
        var what = $"{_options.Model} at {_options.BaseUri.Authority}";
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(_options.ProbeTimeout);
        try
        {
            using var response = await _http.GetAsync("models", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            var status = (int)response.StatusCode;
            // A server without a model list (404/405) still answered: it is reachable. Refused keys and 5xx are not ready.
            return response.IsSuccessStatusCode || status is 404 or 405
                ? ComponentStatus.On("llm", what)
                : ComponentStatus.Failed("llm", $"{what}: {LlmFailure.Describe(new HttpRequestException(null, null, response.StatusCode)).Message}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return ComponentStatus.Failed("llm", $"{what}: {LlmFailure.Timeout("did not answer within", _options.ProbeTimeout).Message}");
        }
        catch (HttpRequestException e)
        {
            return ComponentStatus.Failed("llm", $"{what}: {LlmFailure.Describe(e).Message}");
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        _gate.Dispose();
    }
}
