using System.Text.Json;
using Bulwark.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace Bulwark.Tests.Models;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that serves one ONNX model through ONNX Runtime with the
/// Open Inference Protocol's REST metadata and infer routes, and misbehaves on request
/// (503s, hanging, garbage) so the client's error handling can be tested.
/// </summary>
internal sealed class KServeTestServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly InferenceSession session;
    private readonly string modelName;
    private readonly TaskCompletionSource never = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int inferRequests;
    private int metadataRequests;
    private int unavailableAnswersLeft;

    private KServeTestServer(WebApplication app, InferenceSession session, string modelName)
    {
        this.app = app;
        this.session = session;
        this.modelName = modelName;
    }

    /// <summary>The root URL, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Infer requests received, including those answered with an error.</summary>
    public int InferRequests => Volatile.Read(ref inferRequests);

    /// <summary>Metadata requests received.</summary>
    public int MetadataRequests => Volatile.Read(ref metadataRequests);

    /// <summary>When set, infer requests never get an answer.</summary>
    public bool Hang { get; set; }

    /// <summary>When set, infer requests get status 200 with a body that is not JSON.</summary>
    public bool Garbage { get; set; }

    /// <summary>When set, output data is nested by row instead of flat (the protocol allows both).</summary>
    public bool Nested { get; set; }

    /// <summary>Answers the next <paramref name="count"/> infer requests with 503.</summary>
    public void FailNext(int count) => Volatile.Write(ref unavailableAnswersLeft, count);

    public static async Task<KServeTestServer> StartAsync(string modelPath, string modelName)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new KServeTestServer(app, new InferenceSession(modelPath), modelName);
        app.MapGet("/v2/models/{name}", server.MetadataAsync);
        app.MapPost("/v2/models/{name}/infer", server.InferAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        never.TrySetCanceled();
        await app.StopAsync();
        await app.DisposeAsync();
        session.Dispose();
    }

    private async Task MetadataAsync(HttpContext context)
    {
        Interlocked.Increment(ref metadataRequests);
        if (!await KnownModelAsync(context))
            return;
        static KServeTensorMetadata Describe(KeyValuePair<string, NodeMetadata> node) =>
            new(node.Key, "FP32", node.Value.Dimensions.Select(d => (long)d).ToArray());
        var metadata = new KServeModelMetadata(modelName, ["1"], "onnxruntime_onnx",
            session.InputMetadata.Select(Describe).ToList(), session.OutputMetadata.Select(Describe).ToList());
        await context.Response.WriteAsJsonAsync(metadata, KServeJsonContext.Default.KServeModelMetadata);
    }

    private async Task InferAsync(HttpContext context)
    {
        Interlocked.Increment(ref inferRequests);
        if (Hang)
        {
            await never.Task.WaitAsync(context.RequestAborted);
            return;
        }
        if (Interlocked.Decrement(ref unavailableAnswersLeft) >= 0)
        {
            await ErrorAsync(context, StatusCodes.Status503ServiceUnavailable, "model is warming up");
            return;
        }
        if (Garbage)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"model_name\": \"tiny\", \"outputs\": [");
            return;
        }
        if (!await KnownModelAsync(context))
            return;
        KServeInferenceRequest? request;
        try
        {
            request = await context.Request.ReadFromJsonAsync(KServeJsonContext.Default.KServeInferenceRequest);
        }
        catch (JsonException e)
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest, "malformed request: " + e.Message);
            return;
        }
        var (inputName, inputMeta) = session.InputMetadata.Single();
        var input = request?.Inputs.SingleOrDefault(i => i.Name == inputName);
        int[] expected = inputMeta.Dimensions;
        if (input is null || input.Shape.Count != expected.Length
            || input.Shape.Where((d, i) => expected[i] > 0 && d != expected[i]).Any()
            || input.Data.Length != input.Shape.Aggregate(1L, (a, b) => a * b))
        {
            await ErrorAsync(context, StatusCodes.Status400BadRequest,
                $"input '{inputName}' must have shape [{string.Join(", ", expected)}] with matching data, got [{string.Join(", ", input?.Shape ?? [])}]");
            return;
        }
        var names = request!.Outputs?.Select(o => o.Name).ToArray() ?? session.OutputMetadata.Keys.ToArray();
        using var value = OrtValue.CreateTensorValueFromMemory(input.Data, input.Shape.ToArray());
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [inputName], [value], names);
        var outputs = names.Zip(results, (name, result) =>
        {
            long[] shape = result.GetTensorTypeAndShape().Shape;
            var data = result.GetTensorDataAsSpan<float>().ToArray();
            var json = Nested
                ? JsonSerializer.SerializeToElement(data.Chunk((int)shape[1]).ToArray(), TestJson.Default.SingleArrayArray)
                : JsonSerializer.SerializeToElement(data, TestJson.Default.SingleArray);
            return new KServeResponseTensor(name, shape, "FP32", json);
        }).ToList();
        await context.Response.WriteAsJsonAsync(new KServeInferenceResponse(modelName, "1", null, outputs), KServeJsonContext.Default.KServeInferenceResponse);
    }

    private async Task<bool> KnownModelAsync(HttpContext context)
    {
        string? name = context.GetRouteValue("name") as string;
        if (name == modelName)
            return true;
        await ErrorAsync(context, StatusCodes.Status404NotFound, $"model '{name}' is not loaded");
        return false;
    }

    private static Task ErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new KServeError(message), KServeJsonContext.Default.KServeError);
    }
}
