namespace Bulwark.Onnx;

/// <summary>
/// The bounds <see cref="OnnxFile"/> holds an ONNX file to before and while parsing it, and
/// <see cref="OnnxExternalData"/> holds the external data of its tensors to. A model file is
/// untrusted input: these keep a hostile one from exhausting memory or the stack.
/// </summary>
public sealed record OnnxReadLimits
{
    /// <summary>The default size limit: 2 GiB, the most one protobuf message can hold.</summary>
    public const long DefaultMaxBytes = 2L << 30;

    /// <summary>
    /// The default nesting limit: 64 levels of messages. Ordinary models nest fewer than 20
    /// (model, graph, node, attribute, subgraph, ... and nested types); the protobuf default of 100
    /// is looser than any real model needs.
    /// </summary>
    public const int DefaultRecursionLimit = 64;

    /// <summary>The limits used when none are given.</summary>
    public static OnnxReadLimits Default { get; } = new();

    /// <summary>
    /// The largest file accepted, in bytes; larger files are refused before they are read.
    /// Default <see cref="DefaultMaxBytes"/>. Protobuf cannot address more than 2 GiB − 1 bytes,
    /// so a larger value has the effect of that.
    /// </summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>
    /// The deepest nesting of protobuf messages accepted (graphs inside node attributes inside graphs,
    /// types inside sequence types). Default <see cref="DefaultRecursionLimit"/>.
    /// </summary>
    public int RecursionLimit { get; init; } = DefaultRecursionLimit;

    /// <summary>
    /// The default limit on nested graphs: 10 levels (the main graph is level 1, a Loop or If body
    /// inside it level 2). Control flow exported from real programs rarely nests beyond 4.
    /// </summary>
    public const int DefaultMaxGraphDepth = 10;

    /// <summary>
    /// The deepest nesting of graphs accepted, counting the main graph as 1 and each graph held in a
    /// node attribute as one more than the graph of that node. Default <see cref="DefaultMaxGraphDepth"/>.
    /// </summary>
    public int MaxGraphDepth { get; init; } = DefaultMaxGraphDepth;

    /// <summary>The default limit on external data loaded for one model: 16 GiB.</summary>
    public const long DefaultMaxExternalBytes = 16L << 30;

    /// <summary>
    /// The most bytes of external tensor data (<see cref="OnnxExternalData"/>) loaded for one model,
    /// all tensors together. Default <see cref="DefaultMaxExternalBytes"/>.
    /// </summary>
    public long MaxExternalBytes { get; init; } = DefaultMaxExternalBytes;
}
