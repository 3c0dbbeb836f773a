using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using RagService.Client.Errors;
using RagService.Client.Models;
using RagService.Client.Sync;

namespace RagService.Client;

/// <summary>
/// Typed client for every RagService REST route. Failures become <see cref="RagServiceException"/> subclasses carrying
/// the service's problem detail; requests refused with 429/503 are retried after Retry-After, and requests that are safe
/// to repeat (reads, deletes, syncs with their idempotency key) also after network errors.
/// </summary>
public sealed class RagServiceClient : IDisposable
{
    /// <summary>The header that carries the API key.</summary>
    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>The header that names the end user's principals for a delegating key.</summary>
    public const string OnBehalfOfHeader = "X-Rag-On-Behalf-Of";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly RagServiceClientOptions _options;
    private readonly Http.WrittenVersions _written = new();

    /// <summary>A client with its own <see cref="HttpClient"/>.</summary>
    public RagServiceClient(RagServiceClientOptions options)
        : this(new HttpClient(), options, ownsHttp: true)
    {
    }

    /// <summary>A client over your <see cref="HttpClient"/> (e.g. from IHttpClientFactory); it is not disposed with the client.</summary>
    public RagServiceClient(HttpClient http, RagServiceClientOptions options)
        : this(http, options, ownsHttp: false)
    {
    }

    private RagServiceClient(HttpClient http, RagServiceClientOptions options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(options);
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options;
        if (ownsHttp)
        {
            _http.Timeout = Timeout.InfiniteTimeSpan; // per request, see SendAsync
        }
    }

    /// <summary>The options the client was created with.</summary>
    public RagServiceClientOptions Options => _options;

    /// <summary>
    /// A client over the same connection that acts for one end user (a chatbot's delegate key names the user's
    /// principals, e.g. "user:alice@corp.example", "group:hr"): everything it reads is limited to what they may see.
    /// </summary>
    public RagServiceClient ForUser(params IReadOnlyList<string> principals) =>
        new(_http, _options with { OnBehalfOf = principals }, ownsHttp: false);

    // ---- collections

    /// <summary>Creates a collection; <see cref="RagServiceConflictException"/> when it exists.</summary>
    public Task<Collection> CreateCollectionAsync(CollectionSettings settings, CancellationToken ct = default) =>
        SendJsonAsync<Collection>(HttpMethod.Post, "v1/collections", settings, retryOnNetworkError: false, ct);

    /// <summary>All collections.</summary>
    public Task<IReadOnlyList<Collection>> ListCollectionsAsync(CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<Collection>>("v1/collections", ct);

    /// <summary>A collection's settings and size; <see cref="RagServiceNotFoundException"/> when it does not exist.</summary>
    public Task<CollectionStats> GetCollectionAsync(string collection, CancellationToken ct = default) =>
        GetAsync<CollectionStats>(CollectionPath(collection), ct);

    /// <summary>Deletes a collection with everything in it.</summary>
    public Task DeleteCollectionAsync(string collection, CancellationToken ct = default) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, CollectionPath(collection)), retryOnNetworkError: true, ct);

    // ---- documents

    /// <summary>Adds or replaces a document given as text.</summary>
    public Task<IngestResult> AddDocumentAsync(string collection, DocumentInput document, CancellationToken ct = default) =>
        SendJsonAsync<IngestResult>(HttpMethod.Post, $"{CollectionPath(collection)}/documents", document, retryOnNetworkError: false, ct);

    /// <summary>Adds or replaces a document given as a file (PDF, DOCX, HTML, Markdown, text, images); the id defaults to the file name.</summary>
    public async Task<IngestResult> UploadDocumentAsync(string collection, Stream content, string fileName, string? id = null, string? title = null,
        CancellationToken ct = default)
    {
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, ct).ConfigureAwait(false);
        var bytes = buffer.ToArray();
        using var response = await SendAsync(() =>
        {
            var form = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", fileName } };
            if (id is not null)
            {
                form.Add(new StringContent(id), "id");
            }

            if (title is not null)
            {
                form.Add(new StringContent(title), "title");
            }

            return new HttpRequestMessage(HttpMethod.Post, $"{CollectionPath(collection)}/documents/upload") { Content = form };
        }, retryOnNetworkError: false, ct).ConfigureAwait(false);
        return await ReadAsync<IngestResult>(response, ct).ConfigureAwait(false);
    }

    /// <summary>A page of a collection's documents.</summary>
    public Task<IReadOnlyList<Document>> ListDocumentsAsync(string collection, int offset = 0, int limit = 100, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<Document>>($"{CollectionPath(collection)}/documents?offset={offset}&limit={limit}", ct);

    /// <summary>A stored document's record.</summary>
    public Task<Document> GetDocumentAsync(string collection, string id, CancellationToken ct = default) =>
        GetAsync<Document>(DocumentPath(collection, id), ct);

    /// <summary>
    /// A page of a document's chunks in reading order (ordinal), as they are indexed; <see cref="RagServiceNotFoundException"/>
    /// when the document does not exist. <paramref name="limit"/> is bounded by the service's Rag:Limits:MaxDocumentsPerPage.
    /// </summary>
    public Task<IReadOnlyList<Chunk>> ListChunksAsync(string collection, string documentId, int offset = 0, int limit = 100, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<Chunk>>($"{CollectionPath(collection)}/chunks?documentId={Uri.EscapeDataString(documentId)}&offset={offset}&limit={limit}", ct);

    /// <summary>Replaces a document's access list (null: none, the collection's default applies); nothing is re-extracted or re-embedded.</summary>
    public Task<Document> SetDocumentAccessAsync(string collection, string id, IReadOnlyList<string>? access, CancellationToken ct = default) =>
        SendJsonAsync<Document>(HttpMethod.Put, DocumentPath(collection, id) + "/access", new { access }, retryOnNetworkError: true, ct);

    /// <summary>Deletes a document and its chunks.</summary>
    public Task DeleteDocumentAsync(string collection, string id, CancellationToken ct = default) =>
        SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, DocumentPath(collection, id)), retryOnNetworkError: true, ct);

    // ---- sync and jobs

    /// <summary>Which files of a folder (paths and SHA-256) a sync must send, and what it would add, update and delete.</summary>
    public Task<SyncPlan> PlanSyncAsync(string collection, IReadOnlyList<SyncFile> files, bool prune = false, CancellationToken ct = default) =>
        SendJsonAsync<SyncPlan>(HttpMethod.Post, $"{CollectionPath(collection)}/sync/plan", new { files, prune }, retryOnNetworkError: true, ct);

    /// <summary>
    /// Sends a zip or tar.gz of a folder (optionally with a ".rag-sync-manifest.json" entry listing unchanged files).
    /// Returns the job, finished for small syncs; follow a running one with <see cref="WaitForJobAsync"/>.
    /// </summary>
    /// <param name="archive">A seekable stream is re-sent when a retry is needed.</param>
    /// <param name="mediaType">"application/zip" or "application/gzip".</param>
    public async Task<Job> SyncArchiveAsync(string collection, Stream archive, string mediaType = "application/zip", bool prune = false,
        string? idempotencyKey = null, CancellationToken ct = default)
    {
        var key = idempotencyKey ?? Guid.NewGuid().ToString("N");
        var start = archive.CanSeek ? archive.Position : 0;
        using var response = await SendAsync(() =>
        {
            if (archive.CanSeek)
            {
                archive.Position = start;
            }

            var content = new StreamContent(new NonClosingStream(archive));
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            var request = new HttpRequestMessage(HttpMethod.Post, $"{CollectionPath(collection)}/sync?prune={(prune ? "true" : "false")}") { Content = content };
            // The key makes a retry safe: if the first request did arrive, the service returns its job instead of a new one.
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }, retryOnNetworkError: archive.CanSeek, ct).ConfigureAwait(false);
        return await ReadAsync<Job>(response, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes the collection match a folder: asks the service which files changed (sync/plan), sends only those plus the
    /// manifest of the whole folder as a zip, and returns the job. Hidden files and folders are never sent.
    /// </summary>
    public async Task<Job> SyncFolderAsync(string collection, string folder, SyncFolderOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SyncFolderOptions();
        var plan = await PlanFolderSyncAsync(collection, folder, options, ct).ConfigureAwait(false);
        return await ApplyFolderSyncPlanAsync(collection, plan, options, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// What a sync of <paramref name="folder"/> would do, without writing anything: the files it would send, the
    /// documents it would add, update and (with <see cref="SyncFolderOptions.Prune"/>) delete. Pass the plan to
    /// <see cref="ApplyFolderSyncPlanAsync"/> to carry it out.
    /// </summary>
    public async Task<FolderSyncPlan> PlanFolderSyncAsync(string collection, string folder, SyncFolderOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SyncFolderOptions();
        var files = FolderSnapshot.Take(folder, options.Extensions, options.AccessMap);
        var plan = await PlanSyncAsync(collection, files.Select(f => new SyncFile(f.Path, f.Sha256, f.Access)).ToList(), options.Prune, ct).ConfigureAwait(false);
        return FolderSyncPlan.From(files, plan, options.Full);
    }

    /// <summary>What a sync of <paramref name="folder"/> into a collection that does not exist yet would do: add every file.</summary>
    public static FolderSyncPlan PlanFolderSyncIntoNewCollection(string folder, SyncFolderOptions? options = null) =>
        FolderSyncPlan.ForNewCollection(FolderSnapshot.Take(folder, options?.Extensions, options?.AccessMap));

    /// <summary>Carries out a plan from <see cref="PlanFolderSyncAsync"/>: sends its files and the folder's manifest, and returns the job.</summary>
    public async Task<Job> ApplyFolderSyncPlanAsync(string collection, FolderSyncPlan plan, SyncFolderOptions? options = null, CancellationToken ct = default)
    {
        options ??= new SyncFolderOptions();
        options.Planned?.Invoke(new SyncFolderPlan(plan.Files, plan.Send.Count, options.Full ? null : plan.Deleted.Count));

        var zip = await SyncArchive.WriteAsync(plan.Snapshot, plan.SendFiles, options.Prune, ct).ConfigureAwait(false);
        try
        {
            var stream = File.OpenRead(zip);
            await using (stream.ConfigureAwait(false))
            {
                return await SyncArchiveAsync(collection, stream, "application/zip", options.Prune, options.IdempotencyKey, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            File.Delete(zip);
        }
    }

    /// <param name="lists">Include the per-document path lists.</param>
    public Task<Job> GetJobAsync(string id, bool lists = true, CancellationToken ct = default) =>
        GetAsync<Job>($"v1/jobs/{Uri.EscapeDataString(id)}{(lists ? "" : "?lists=false")}", ct);

    /// <summary>Recent jobs, newest first, optionally of one collection.</summary>
    public Task<IReadOnlyList<Job>> ListJobsAsync(string? collection = null, int limit = 50, CancellationToken ct = default) =>
        GetAsync<IReadOnlyList<Job>>($"v1/jobs?limit={limit}{(collection is null ? "" : "&collection=" + Uri.EscapeDataString(collection))}", ct);

    /// <summary>Polls a job until it finishes, reporting each state seen; returns the finished job with its path lists.</summary>
    public async Task<Job> WaitForJobAsync(string id, IProgress<Job>? progress = null, CancellationToken ct = default)
    {
        var job = await GetJobAsync(id, lists: false, ct).ConfigureAwait(false);
        while (true)
        {
            progress?.Report(job);
            if (job.IsFinished)
            {
                return await GetJobAsync(id, lists: true, ct).ConfigureAwait(false);
            }

            await Task.Delay(_options.JobPollInterval, ct).ConfigureAwait(false);
            job = await GetJobAsync(id, lists: false, ct).ConfigureAwait(false);
        }
    }

    // ---- search and ask

    /// <summary>
    /// The best passages for a query, with per-stage scores and timings; with <see cref="SearchOptions.Explain"/> also
    /// every candidate and where each stage ranked it (<see cref="SearchResult.Candidates"/>).
    /// </summary>
    public Task<SearchResult> SearchAsync(string collection, string query, SearchOptions? options = null, CancellationToken ct = default) =>
        SendJsonAsync<SearchResult>(HttpMethod.Post, $"{CollectionPath(collection)}/search", Body("query", query, options, stream: null, explain: options?.Explain),
            retryOnNetworkError: true, ct);

    /// <summary>Answers a question with numbered, cited sources (<see cref="RagServiceLlmException"/> when the service's LLM fails).</summary>
    /// <param name="history">Earlier turns of the conversation, oldest first: the service rewrites a follow-up ("它多少钱？") into a standalone question
    /// for retrieval.</param>
    public Task<AskResult> AskAsync(string collection, string question, SearchOptions? options = null, IReadOnlyList<ConversationTurn>? history = null,
        CancellationToken ct = default) =>
        SendJsonAsync<AskResult>(HttpMethod.Post, $"{CollectionPath(collection)}/ask", Body("question", question, options, stream: null, history), retryOnNetworkError: true, ct);

    /// <summary>
    /// Streams an answer: one update per piece of text as the LLM writes it, then a final update whose
    /// <see cref="AskStreamUpdate.Result"/> holds the whole answer and its sources. Cancelling stops the LLM call.
    /// </summary>
    /// <param name="history">Earlier turns of the conversation, oldest first (see <see cref="AskAsync"/>).</param>
    public async IAsyncEnumerable<AskStreamUpdate> AskStreamAsync(string collection, string question, SearchOptions? options = null,
        IReadOnlyList<ConversationTurn>? history = null, [EnumeratorCancellation] CancellationToken ct = default)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Post, $"{CollectionPath(collection)}/ask")
        {
            Content = JsonContent.Create(Body("question", question, options, stream: true, history), options: RagJson.Options),
        }, retryOnNetworkError: false, ct, streamed: true).ConfigureAwait(false);
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using var streamScope = stream.ConfigureAwait(false);
        await foreach (var (name, data) in ServerSentEvents.ReadAsync(stream, ct).ConfigureAwait(false))
        {
            switch (name)
            {
                case "token":
                    yield return new AskStreamUpdate(JsonSerializer.Deserialize<JsonElement>(data).GetProperty("text").GetString(), null);
                    break;
                case "done":
                    yield return new AskStreamUpdate(null, JsonSerializer.Deserialize<AskResult>(data, RagJson.Options));
                    yield break;
                case "error":
                    throw ProblemReader.FromElement(JsonSerializer.Deserialize<JsonElement>(data));
            }
        }

        throw new RagServiceException(HttpStatusCode.BadGateway, "Stream ended early", "the answer stream ended without its final event", null);
    }

    // ---- health

    /// <summary>
    /// Readiness of the store, indexes, models and LLM: "ready", "degraded" (200: only optional components failed) or
    /// "unready" (503: a required one failed). The 503 is returned as a <see cref="Readiness"/>, not thrown, and not retried.
    /// </summary>
    public async Task<Readiness> GetReadinessAsync(CancellationToken ct = default)
    {
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Get, "health/ready"));
        using var response = await _http.SendAsync(request, ct).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
        {
            throw await ProblemReader.ReadAsync(response, ct).ConfigureAwait(false);
        }

        var readiness = await ReadAsync<Readiness>(response, ct).ConfigureAwait(false);
        // Without a key the service answers {"status"} only.
        return readiness.Components is null ? readiness with { Components = [] } : readiness;
    }

    /// <summary>Disposes the HttpClient if the client created it.</summary>
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    // ---- plumbing

    private static string CollectionPath(string collection) => $"v1/collections/{Uri.EscapeDataString(collection)}";

    private static string DocumentPath(string collection, string id) => $"{CollectionPath(collection)}/documents/{Uri.EscapeDataString(id)}";

    private static object Body(string name, string text, SearchOptions? o, bool? stream, IReadOnlyList<ConversationTurn>? history = null, bool? explain = null) =>
        new Dictionary<string, object?>
        {
            [name] = text,
            ["topK"] = o?.TopK,
            ["mode"] = o?.Mode,
            ["rerank"] = o?.Rerank,
            ["candidates"] = o?.Candidates,
            ["filter"] = o?.Filter,
            ["fusion"] = o?.Fusion,
            ["metadata"] = o?.Metadata,
            ["explain"] = explain,
            ["stream"] = stream,
            ["history"] = history is { Count: > 0 } ? history : null,
        }.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value);

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(HttpMethod.Get, path), retryOnNetworkError: true, ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object body, bool retryOnNetworkError, CancellationToken ct)
    {
        using var response = await SendAsync(() => new HttpRequestMessage(method, path) { Content = JsonContent.Create(body, options: RagJson.Options) },
            retryOnNetworkError, ct).ConfigureAwait(false);
        return await ReadAsync<T>(response, ct).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken ct) =>
        await response.Content.ReadFromJsonAsync<T>(RagJson.Options, ct).ConfigureAwait(false)
        ?? throw new RagServiceException(response.StatusCode, "Empty response", "the service sent no body", null);

    /// <summary>Sends a request made by <paramref name="create"/> (called again per retry); throws the typed problem on failure.</summary>
    /// <param name="streamed">Return as soon as the headers arrived; the body is read by the caller, bounded by <paramref name="ct"/> only.</param>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, bool retryOnNetworkError, CancellationToken ct, bool streamed = false)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.RequestTimeout);
            using var request = Authorized(create());
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, streamed ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                if (!retryOnNetworkError || attempt >= _options.MaxRetries)
                {
                    throw e is OperationCanceledException
                        ? new TimeoutException($"the service did not answer within {_options.RequestTimeout.TotalSeconds:0.#} s", e)
                        : e;
                }

                await Task.Delay(Backoff(attempt, null), ct).ConfigureAwait(false);
                continue;
            }

            if (response.IsSuccessStatusCode)
            {
                _written.Observe(request, response);
                return response;
            }

            if (response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable && attempt < _options.MaxRetries)
            {
                var wait = Backoff(attempt, response.Headers.RetryAfter?.Delta);
                response.Dispose();
                await Task.Delay(wait, ct).ConfigureAwait(false);
                continue;
            }

            using (response)
            {
                throw await ProblemReader.ReadAsync(response, ct).ConfigureAwait(false);
            }
        }
    }

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        var wait = retryAfter ?? TimeSpan.FromMilliseconds(250 * Math.Pow(2, attempt));
        return wait > _options.MaxRetryDelay ? _options.MaxRetryDelay : wait;
    }

    private HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        request.RequestUri = new Uri(BaseUri, request.RequestUri!.OriginalString);
        if (_options.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Add(ApiKeyHeader, key);
        }

        if (_options.OnBehalfOf is { Count: > 0 } principals)
        {
            request.Headers.Add(OnBehalfOfHeader, string.Join(',', principals));
        }

        if (_options.ReadYourWrites)
        {
            _written.Stamp(request);
        }

        return request;
    }

    /// <summary>The newest version of the collection this client's document writes answered with (null before its first write).</summary>
    public long? LastWrittenVersion(string collection) => _written.Of(collection);

    private Uri BaseUri => new(_options.BaseAddress.AbsoluteUri.TrimEnd('/') + "/");

    /// <summary>Lets a request re-send the caller's stream without disposing it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
