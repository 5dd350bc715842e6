using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx;

/// <summary>One dimension of a declared graph input or output: a fixed size, a named symbol, or unknown.</summary>
/// <param name="Size">The fixed extent, or null when symbolic or unknown.</param>
/// <param name="Symbol">The symbolic name (e.g. "N"), or null.</param>
public readonly record struct OnnxDim(long? Size, string? Symbol)
{
    /// <inheritdoc />
    public override string ToString() => Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? Symbol ?? "?";
}

/// <summary>A declared graph input or output: name, element type and dimensions (null when the rank is unknown).</summary>
public sealed record OnnxTensorInfo(string Name, DataType ElementType, IReadOnlyList<OnnxDim>? Dims)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Name}: {ElementType}" + (Dims is null ? "[?]" : $"[{string.Join(", ", Dims)}]");
}
