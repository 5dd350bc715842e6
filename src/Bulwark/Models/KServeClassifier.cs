using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// A black-box <see cref="IClassifier"/> behind a remote prediction API that speaks the Open
/// Inference Protocol (KServe v2) over REST: each batch is sent as
/// <c>POST {base}/v2/models/{name}/infer</c> with one FP32 input tensor [n, ..InputShape], and
/// the [n, classes] output is read back (protocol:
/// https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md).
/// The target of black-box evasion (T8), extraction (T11) and membership inference (T12).
/// </summary>
/// <remarks>
/// <para>Errors: an unknown model (404) and a request the server rejects (400 and other 4xx)
/// are the caller's input faults and throw <see cref="BulwarkInputException"/> with the URL and
/// the server's own error message. A request that runs over <see cref="KServeClassifierOptions.Timeout"/>,
/// a 5xx or transport failure that persists after <see cref="KServeClassifierOptions.MaxRetries"/>
/// repeats (waiting <see cref="KServeClassifierOptions.InitialBackoff"/>, doubled each time), and
/// a malformed response throw <see cref="ModelEndpointException"/>. Timeouts are not repeated:
/// the server may still be working on the request, and a repeat would double its load.</para>
/// <para>A batch larger than <see cref="KServeClassifierOptions.MaxBatchSize"/> is sent as
/// consecutive requests. The classifier disposes an <see cref="HttpClient"/> it created, never
/// one it was given. <see cref="PredictProba"/> blocks on <see cref="PredictProbaAsync"/>.</para>
/// </remarks>
public sealed class KServeClassifier : IClassifier, IDisposable
{
    private readonly HttpClient http;
    private readonly bool ownsClient;
    private readonly KServeClassifierOptions options;
    private readonly Uri inferUri;
    private readonly string inputName;
    private readonly int[] inputShape;

    /// <summary>
    /// Creates the classifier without contacting the server: <see cref="KServeClassifierOptions.InputName"/>,
    /// <see cref="KServeClassifierOptions.InputShape"/> and <see cref="KServeClassifierOptions.ClassCount"/>
    /// must be given (<see cref="ConnectAsync"/> reads them from the model metadata instead).
    /// </summary>
    /// <param name="options">Where the model is and how to talk to it.</param>
    /// <param name="httpClient">The client to send with; a new one, owned by the classifier, when null.</param>
    public KServeClassifier(KServeClassifierOptions options, HttpClient? httpClient = null)
        : this(Validated(options, offline: true), httpClient ?? NewClient(), ownsClient: httpClient is null)
    {
    }

    private KServeClassifier(KServeClassifierOptions options, HttpClient http, bool ownsClient)
    {
        this.options = options;
        this.http = http;
        this.ownsClient = ownsClient;
        inputName = options.InputName!;
        inputShape = [.. options.InputShape!];
        ClassCount = options.ClassCount ?? 0;
        inferUri = ModelUri(options, "/infer");
    }

    /// <inheritdoc />
    public IReadOnlyList<int> InputShape => inputShape;

    /// <inheritdoc />
    public int ClassCount { get; private set; }

    /// <inheritdoc />
    public InputBounds Bounds => options.Bounds;

    /// <summary>The URL inference requests are posted to.</summary>
    public Uri InferUri => inferUri;

    /// <summary>
    /// Reads the model metadata (<c>GET {base}/v2/models/{name}</c>) to fill in the input name,
    /// the sample shape and the class count that <paramref name="options"/> leave open, then
    /// creates the classifier. When the metadata leaves the class count variable, one zero sample
    /// is sent to learn it.
    /// </summary>
    /// <exception cref="BulwarkInputException">The model is unknown, or its metadata does not describe a classifier with one FP32 input.</exception>
    /// <exception cref="ModelEndpointException">The server timed out, failed, or answered with malformed metadata.</exception>
    public static async Task<KServeClassifier> ConnectAsync(KServeClassifierOptions options, HttpClient? httpClient = null, CancellationToken cancellationToken = default)
    {
        Validated(options, offline: false);
        var http = httpClient ?? NewClient();
        try
        {
            var metadataUri = ModelUri(options, "");
            var metadata = await SendAsync(http, options, metadataUri, () => new HttpRequestMessage(HttpMethod.Get, metadataUri),
                (body, ct) => body.ReadFromJsonAsync(KServeJsonContext.Default.KServeModelMetadata, ct), cancellationToken).ConfigureAwait(false);
            var completed = Complete(options, metadata, metadataUri);
            var classifier = new KServeClassifier(Validated(completed, offline: false), http, ownsClient: httpClient is null);
            if (completed.ClassCount is null)
                classifier.ClassCount = await classifier.ProbeClassCountAsync(cancellationToken).ConfigureAwait(false);
            return classifier;
        }
        catch when (httpClient is null)
        {
            http.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public Tensor PredictProba(Tensor batch) => PredictProbaAsync(batch).GetAwaiter().GetResult();

    /// <summary>The asynchronous form of <see cref="PredictProba"/>: one request per slice of at most MaxBatchSize samples.</summary>
    public async Task<Tensor> PredictProbaAsync(Tensor batch, CancellationToken cancellationToken = default)
    {
        ClassifierInput.CheckBatch(batch, inputShape, Where);
        int n = batch.Dim(0);
        int width = batch.Size / n;
        var values = batch.ToArray();
        var probabilities = new float[n * ClassCount];
        for (int start = 0; start < n; start += options.MaxBatchSize)
        {
            int rows = Math.Min(options.MaxBatchSize, n - start);
            var scores = await InferAsync(values.AsSpan(start * width, rows * width).ToArray(), rows, ClassCount, cancellationToken).ConfigureAwait(false);
            ClassScores.Normalise(scores, ClassCount, options.Scores, Where);
            scores.CopyTo(probabilities, start * ClassCount);
        }
        return Tensor.FromArray(probabilities, n, ClassCount);
    }

    /// <summary>Disposes the HTTP client if the classifier created it.</summary>
    public void Dispose()
    {
        if (ownsClient)
            http.Dispose();
    }

    private string Where => $"KServe model '{options.ModelName}' at {inferUri}";

    private static HttpClient NewClient() => new() { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

    /// <summary>Checks the options that need no server; with <paramref name="offline"/> also that nothing is left for the metadata to fill in.</summary>
    private static KServeClassifierOptions Validated(KServeClassifierOptions options, bool offline)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.BaseAddress);
        ArgumentException.ThrowIfNullOrEmpty(options.ModelName);
        string where = $"KServe model '{options.ModelName}' at {options.BaseAddress}";
        if (!options.BaseAddress.IsAbsoluteUri)
            throw new BulwarkInputException($"{where}: the base address must be an absolute URL");
        if (offline)
        {
            if (options.InputName is null || options.InputShape is null || options.ClassCount is null)
                throw new BulwarkInputException($"{where}: InputName, InputShape and ClassCount must all be given; or use ConnectAsync to read them from the model metadata");
        }
        if (options.ClassCount is { } classes)
            ClassifierInput.CheckClassCount(classes, where);
        if (options.InputShape is not null)
            ClassifierInput.CheckSampleShape(options.InputShape, where);
        ClassifierInput.CheckMaxBatchSize(options.MaxBatchSize, where);
        if (options.Timeout <= TimeSpan.Zero || options.MaxRetries < 0 || options.InitialBackoff < TimeSpan.Zero)
            throw new BulwarkInputException($"{where}: the timeout must be positive and the retry count and backoff non-negative");
        return options;
    }

    private static Uri ModelUri(KServeClassifierOptions options, string suffix)
    {
        string root = options.BaseAddress.ToString().TrimEnd('/');
        string version = options.ModelVersion is null ? "" : "/versions/" + Uri.EscapeDataString(options.ModelVersion);
        return new Uri($"{root}/v2/models/{Uri.EscapeDataString(options.ModelName)}{version}{suffix}");
    }

    private static KServeClassifierOptions Complete(KServeClassifierOptions options, KServeModelMetadata? metadata, Uri uri)
    {
        if (metadata?.Inputs is not { Count: > 0 } inputs || metadata.Outputs is not { Count: > 0 } outputs)
            throw new ModelEndpointException($"model metadata from {uri} lists no inputs or no outputs", uri);
        var input = options.InputName is null
            ? inputs.Count == 1 ? inputs[0] : throw new BulwarkInputException($"model '{options.ModelName}' at {uri} has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); choose one with InputName")
            : inputs.FirstOrDefault(i => i.Name == options.InputName) ?? throw new BulwarkInputException($"model '{options.ModelName}' at {uri} has no input '{options.InputName}'; its inputs are {string.Join(", ", inputs.Select(i => i.Name))}");
        if (input.Datatype != "FP32")
            throw new BulwarkInputException($"model '{options.ModelName}' at {uri}: input '{input.Name}' is {input.Datatype}, not FP32");
        var output = options.OutputName is null ? outputs[0]
            : outputs.FirstOrDefault(o => o.Name == options.OutputName) ?? throw new BulwarkInputException($"model '{options.ModelName}' at {uri} has no output '{options.OutputName}'; its outputs are {string.Join(", ", outputs.Select(o => o.Name))}");
        var sample = input.Shape?.Skip(1).ToArray() ?? [];
        var shape = options.InputShape
            ?? (sample.Length > 0 && sample.All(d => d > 0 && d <= int.MaxValue) ? sample.Select(d => (int)d).ToArray()
                : throw new BulwarkInputException($"model '{options.ModelName}' at {uri}: input '{input.Name}' has shape [{string.Join(", ", input.Shape ?? [])}], whose sample dimensions are not all fixed; give InputShape"));
        int? classes = options.ClassCount ?? (output.Shape is { Count: 2 } s && s[1] is > 1 and <= int.MaxValue ? (int)s[1] : null);
        return options with { InputName = input.Name, OutputName = output.Name, InputShape = shape, ClassCount = classes };
    }

    private async Task<int> ProbeClassCountAsync(CancellationToken cancellationToken)
    {
        var scores = await InferAsync(new float[inputShape.Aggregate(1, (a, b) => a * b)], 1, expectedClasses: 0, cancellationToken).ConfigureAwait(false);
        ClassifierInput.CheckClassCount(scores.Length, Where);
        return scores.Length;
    }

    private Task<float[]> InferAsync(float[] data, int rows, int expectedClasses, CancellationToken cancellationToken)
    {
        long[] shape = [rows, .. inputShape.Select(d => (long)d)];
        var request = new KServeInferenceRequest(
            [new KServeRequestTensor(inputName, shape, "FP32", data)],
            options.OutputName is null ? null : [new KServeRequestedOutput(options.OutputName)]);
        return SendAsync(http, options, inferUri,
            () => new HttpRequestMessage(HttpMethod.Post, inferUri) { Content = JsonContent.Create(request, KServeJsonContext.Default.KServeInferenceRequest) },
            async (body, ct) => ReadScores(await body.ReadFromJsonAsync(KServeJsonContext.Default.KServeInferenceResponse, ct).ConfigureAwait(false), rows, expectedClasses),
            cancellationToken);
    }

    private float[] ReadScores(KServeInferenceResponse? response, int rows, int expectedClasses)
    {
        var outputs = response?.Outputs;
        var output = options.OutputName is null ? outputs?.FirstOrDefault() : outputs?.FirstOrDefault(o => o.Name == options.OutputName);
        if (output is null)
            throw new ModelEndpointException($"{Where}: the response has no output{(options.OutputName is null ? "" : $" named '{options.OutputName}'")}", inferUri);
        if (output.Shape is not { Count: 2 } shape || shape[0] != rows || shape[1] < 1 || (expectedClasses > 0 && shape[1] != expectedClasses))
            throw new ModelEndpointException($"{Where}: output '{output.Name}' has shape [{string.Join(", ", output.Shape ?? [])}], expected [{rows}, {(expectedClasses > 0 ? expectedClasses : "classes")}]", inferUri);
        var values = new List<float>((int)(rows * shape[1]));
        if (output.Data.ValueKind != JsonValueKind.Array || !Flatten(output.Data, values))
            throw new ModelEndpointException($"{Where}: the data of output '{output.Name}' is not an array of numbers", inferUri);
        if (values.Count != rows * shape[1])
            throw new ModelEndpointException($"{Where}: output '{output.Name}' holds {values.Count} values for shape [{rows}, {shape[1]}]", inferUri);
        return [.. values];
    }

    private static bool Flatten(JsonElement element, List<float> into)
    {
        foreach (var item in element.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Number && item.TryGetDouble(out double v))
                into.Add((float)v);
            else if (item.ValueKind != JsonValueKind.Array || !Flatten(item, into))
                return false;
        }
        return true;
    }

    /// <summary>Sends a request with the timeout, retries and error mapping described on the class.</summary>
    private static async Task<T> SendAsync<T>(HttpClient http, KServeClassifierOptions options, Uri uri, Func<HttpRequestMessage> makeRequest, Func<HttpContent, CancellationToken, Task<T>> read, CancellationToken cancellationToken)
    {
        for (int attempt = 0; ; attempt++)
        {
            if (attempt > 0 && options.InitialBackoff > TimeSpan.Zero)
                await Task.Delay(options.InitialBackoff * Math.Pow(2, attempt - 1), cancellationToken).ConfigureAwait(false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            bool lastTry = attempt >= options.MaxRetries;
            try
            {
                using var request = makeRequest();
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                int status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                    return await read(response.Content, timeout.Token).ConfigureAwait(false);
                string message = await ErrorMessageAsync(response, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                    throw new BulwarkInputException($"model '{options.ModelName}' not found at {uri} (HTTP 404): {message}");
                if (status < 500)
                    throw new BulwarkInputException($"{uri} rejected the request to model '{options.ModelName}' (HTTP {status}): {message}");
                if (lastTry)
                    throw new ModelEndpointException($"{uri} failed with HTTP {status} after {attempt + 1} tries: {message}", uri, status);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ModelEndpointException($"the request to {uri} timed out after {options.Timeout.TotalMilliseconds:0} ms", uri, inner: e);
            }
            catch (HttpRequestException e) when (lastTry)
            {
                throw new ModelEndpointException($"the request to {uri} failed after {attempt + 1} tries: {e.Message}", uri, inner: e);
            }
            catch (HttpRequestException)
            {
            }
            catch (JsonException e)
            {
                throw new ModelEndpointException($"malformed JSON in the answer from {uri}: {e.Message}", uri, inner: e);
            }
        }
    }

    private static async Task<string> ErrorMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        const int limit = 2000;
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize(body, KServeJsonContext.Default.KServeError)?.Error is { } error)
                return error;
        }
        catch (JsonException)
        {
        }
        return body.Length <= limit ? body : body[..limit] + "…";
    }
}
