using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Argument checks shared by the neural-network op families.</summary>
internal static class NnArgs
{
    /// <summary>The tensor of a floating-point value; refuses an integer or BOOL one naming <paramref name="what"/>.</summary>
    public static Tensor FloatOf(OnnxValue v, string what) =>
        v.IsFloat ? v.Float! : throw new BulwarkInputException($"{what} must be a floating-point tensor, got {v.ElementType}");

    /// <summary>A shape for messages.</summary>
    public static string Format(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
