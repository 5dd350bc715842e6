using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bulwark.Models;

// The JSON objects of the Open Inference Protocol (KServe v2) REST API,
// https://github.com/kserve/open-inference-protocol/blob/main/specification/protocol/inference_rest.md

/// <summary>An inference request: <c>POST v2/models/{name}/infer</c>.</summary>
/// <param name="Inputs">The input tensors.</param>
/// <param name="Outputs">The outputs wanted; null asks for all of them.</param>
public sealed record KServeInferenceRequest(IReadOnlyList<KServeRequestTensor> Inputs, IReadOnlyList<KServeRequestedOutput>? Outputs = null);

/// <summary>One input tensor of a request, its data flattened in row-major order.</summary>
/// <param name="Name">The model input's name.</param>
/// <param name="Shape">The tensor's shape, batch axis first.</param>
/// <param name="Datatype">The protocol's element type name, "FP32" here.</param>
/// <param name="Data">The elements in row-major order.</param>
public sealed record KServeRequestTensor(string Name, IReadOnlyList<long> Shape, string Datatype, float[] Data);

/// <summary>An output named in a request.</summary>
/// <param name="Name">The model output's name.</param>
public sealed record KServeRequestedOutput(string Name);

/// <summary>An inference response. Every member may be missing from a malformed answer.</summary>
/// <param name="ModelName">The model that answered.</param>
/// <param name="ModelVersion">Its version, when the server reports one.</param>
/// <param name="Id">The request id echoed back.</param>
/// <param name="Outputs">The output tensors.</param>
public sealed record KServeInferenceResponse(string? ModelName, string? ModelVersion, string? Id, IReadOnlyList<KServeResponseTensor>? Outputs);

/// <summary>One output tensor of a response; the protocol allows the data flat or nested by shape.</summary>
/// <param name="Name">The model output's name.</param>
/// <param name="Shape">The tensor's shape.</param>
/// <param name="Datatype">The protocol's element type name ("FP32", "FP64", "INT64", …).</param>
/// <param name="Data">The elements: a JSON array, possibly nested.</param>
public sealed record KServeResponseTensor(string? Name, IReadOnlyList<long>? Shape, string? Datatype, JsonElement Data);

/// <summary>Model metadata: <c>GET v2/models/{name}</c>.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Versions">The versions the server holds.</param>
/// <param name="Platform">The framework, e.g. "onnxruntime_onnx".</param>
/// <param name="Inputs">The model's inputs.</param>
/// <param name="Outputs">The model's outputs.</param>
public sealed record KServeModelMetadata(string? Name, IReadOnlyList<string>? Versions, string? Platform, IReadOnlyList<KServeTensorMetadata>? Inputs, IReadOnlyList<KServeTensorMetadata>? Outputs);

/// <summary>The description of one model input or output; -1 marks a dimension of any size.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="Datatype">The protocol's element type name.</param>
/// <param name="Shape">The shape, -1 for a variable dimension.</param>
public sealed record KServeTensorMetadata(string Name, string Datatype, IReadOnlyList<long> Shape);

/// <summary>The body of an error answer.</summary>
/// <param name="Error">The server's description of what went wrong.</param>
public sealed record KServeError(string? Error);

/// <summary>System.Text.Json metadata for the protocol's objects (snake_case names, nulls omitted).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(KServeInferenceRequest))]
[JsonSerializable(typeof(KServeInferenceResponse))]
[JsonSerializable(typeof(KServeModelMetadata))]
[JsonSerializable(typeof(KServeError))]
public sealed partial class KServeJsonContext : JsonSerializerContext;
