namespace Bulwark.Onnx;

/// <summary>Limits and switches for importing an ONNX model onto the engine.</summary>
public sealed record OnnxImportOptions
{
    /// <summary>The default limit on the elements of any one value: 2^28 (1 GiB of float32).</summary>
    public const long DefaultMaxElements = 1L << 28;

    /// <summary>Default options.</summary>
    public static OnnxImportOptions Default { get; } = new();

    /// <summary>Limits on reading the file itself (size, protobuf nesting).</summary>
    public OnnxReadLimits ReadLimits { get; init; } = OnnxReadLimits.Default;

    /// <summary>
    /// The most elements any single value may have. Ops that create data from sizes held in the
    /// graph (Expand, Tile, ConstantOfShape, Range, Resize, Pad) check against it before
    /// allocating, so a constant-folding bomb is refused instead of exhausting memory.
    /// </summary>
    public long MaxElements { get; init; } = DefaultMaxElements;
}
