namespace Bulwark.Onnx;

/// <summary>
/// The bounds <see cref="OnnxFile"/> holds an ONNX file to before and while parsing it. A model file is
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
}
