using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Onnx;

namespace Bulwark.Tests.Models;

public sealed class KServeClassifierTests : IAsyncLifetime
{
    private const string ModelName = "tiny";
    private readonly OnnxTestFiles files = new();
    private string modelPath = "";
    private KServeTestServer server = null!;

    public async Task InitializeAsync()
    {
        modelPath = files.Write("tiny.onnx", TinyOnnxModel.Build(withSoftmax: false));
        server = await KServeTestServer.StartAsync(modelPath, ModelName);
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        files.Dispose();
    }

    private KServeClassifierOptions Options(string model = ModelName) => new()
    {
        BaseAddress = server.BaseAddress,
        ModelName = model,
        InitialBackoff = TimeSpan.Zero,
    };

    /// <summary>Options that need no metadata, for the model the server holds.</summary>
    private KServeClassifierOptions Offline(string model = ModelName) => Options(model) with
    {
        InputName = "x",
        InputShape = [TinyOnnxModel.Features],
        ClassCount = TinyOnnxModel.Classes,
    };

    private static Tensor Samples(int n, ulong seed) => Tensor.FromArray(TinyOnnxModel.Samples(n, seed), n, TinyOnnxModel.Features);

    [Fact]
    public async Task Metadata_is_discovered_and_predictions_equal_onnx_runtime_locally()
    {
        using var remote = await KServeClassifier.ConnectAsync(Options());
        Assert.Equal(1, server.MetadataRequests);
        Assert.Equal([TinyOnnxModel.Features], remote.InputShape);
        Assert.Equal(TinyOnnxModel.Classes, remote.ClassCount);
        Assert.Equal(new Uri(server.BaseAddress, "v2/models/tiny/infer"), remote.InferUri);

        using var local = new OnnxRuntimeClassifier(modelPath);
        var x = Samples(9, 1);
        var expected = local.PredictProba(x).ToArray();
        var actual = remote.PredictProba(x).ToArray();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-6, $"element {i}: local {expected[i]}, remote {actual[i]}");
    }

    [Fact]
    public async Task Nested_output_data_is_read_in_row_major_order()
    {
        using var remote = new KServeClassifier(Offline());
        var x = Samples(4, 2);
        var flat = (await remote.PredictProbaAsync(x)).ToArray();
        server.Nested = true;
        Assert.Equal(flat, (await remote.PredictProbaAsync(x)).ToArray());
    }

    [Fact]
    public void Batches_become_ceil_n_over_max_requests()
    {
        using var remote = new KServeClassifier(Offline() with { MaxBatchSize = 3 });
        var x = Samples(10, 3);
        var p = remote.PredictProba(x);
        Assert.Equal(4, server.InferRequests);
        Assert.Equal([10, TinyOnnxModel.Classes], p.Shape.ToArray());
        using var whole = new KServeClassifier(Offline());
        Assert.Equal(whole.PredictProba(x).ToArray(), p.ToArray());
        Assert.Equal(5, server.InferRequests);
    }

    [Fact]
    public async Task Unknown_model_is_an_input_error_naming_the_url_and_the_model()
    {
        var metadata = await Assert.ThrowsAsync<BulwarkInputException>(() => KServeClassifier.ConnectAsync(Options("tiny2")));
        Assert.Contains("'tiny2'", metadata.Message, StringComparison.Ordinal);
        Assert.Contains(server.BaseAddress + "v2/models/tiny2", metadata.Message, StringComparison.Ordinal);
        Assert.Contains("404", metadata.Message, StringComparison.Ordinal);

        using var remote = new KServeClassifier(Offline("tiny2"));
        var infer = Assert.Throws<BulwarkInputException>(() => remote.PredictProba(Samples(1, 4)));
        Assert.Contains(server.BaseAddress + "v2/models/tiny2/infer", infer.Message, StringComparison.Ordinal);
        Assert.Contains("is not loaded", infer.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.InferRequests);
    }

    [Fact]
    public void Rejected_shape_is_an_input_error_carrying_the_server_message()
    {
        using var remote = new KServeClassifier(Offline() with { InputShape = [5] });
        var e = Assert.Throws<BulwarkInputException>(() => remote.PredictProba(Tensor.Zeros(2, 5)));
        Assert.Contains("HTTP 400", e.Message, StringComparison.Ordinal);
        Assert.Contains("input 'x' must have shape [-1, 4] with matching data, got [2, 5]", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.InferRequests);
    }

    [Fact]
    public void Timeout_is_an_endpoint_error_naming_the_url_and_the_limit_and_is_not_retried()
    {
        server.Hang = true;
        using var remote = new KServeClassifier(Offline() with { Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 3 });
        var e = Assert.Throws<ModelEndpointException>(() => remote.PredictProba(Samples(1, 5)));
        Assert.Contains("timed out after 200 ms", e.Message, StringComparison.Ordinal);
        Assert.Equal(remote.InferUri, e.Endpoint);
        Assert.InRange(server.InferRequests, 0, 1);
    }

    [Fact]
    public void Service_unavailable_is_retried_until_it_succeeds()
    {
        using var local = new OnnxRuntimeClassifier(modelPath);
        using var remote = new KServeClassifier(Offline() with { MaxRetries = 2 });
        server.FailNext(1);
        var x = Samples(2, 6);
        var p = remote.PredictProba(x).ToArray();
        Assert.Equal(2, server.InferRequests);
        var expected = local.PredictProba(x).ToArray();
        Assert.All(Enumerable.Range(0, p.Length), i => Assert.True(Math.Abs(expected[i] - p[i]) < 1e-6));
    }

    [Fact]
    public void Persistent_server_errors_end_after_the_retries()
    {
        using var remote = new KServeClassifier(Offline() with { MaxRetries = 2 });
        server.FailNext(10);
        var e = Assert.Throws<ModelEndpointException>(() => remote.PredictProba(Samples(1, 7)));
        Assert.Equal(3, server.InferRequests);
        Assert.Equal(503, e.StatusCode);
        Assert.Contains("after 3 tries: model is warming up", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_json_is_an_endpoint_error()
    {
        server.Garbage = true;
        using var remote = new KServeClassifier(Offline());
        var e = Assert.Throws<ModelEndpointException>(() => remote.PredictProba(Samples(1, 8)));
        Assert.Contains("malformed JSON", e.Message, StringComparison.Ordinal);
        Assert.Contains(remote.InferUri.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unreachable_server_is_retried_then_reported()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var closed = new Uri($"http://127.0.0.1:{port}/");
        using var remote = new KServeClassifier(Offline() with { BaseAddress = closed, MaxRetries = 1 });
        var e = Assert.Throws<ModelEndpointException>(() => remote.PredictProba(Samples(1, 9)));
        Assert.Contains("failed after 2 tries", e.Message, StringComparison.Ordinal);
        Assert.Contains($"127.0.0.1:{port}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_description_without_metadata_and_bad_batches_are_input_errors()
    {
        Assert.Throws<BulwarkInputException>(() => new KServeClassifier(Options()));
        using var remote = new KServeClassifier(Offline());
        Assert.Throws<BulwarkInputException>(() => remote.PredictProba(Tensor.Zeros(1, 3)));
        Assert.Throws<BulwarkInputException>(() => remote.PredictProba(Tensor.FromArray([float.NaN, 0f, 0f, 0f], 1, 4)));
        Assert.Equal(0, server.InferRequests);
    }
}
