namespace Bulwark.Engine.Nn;

/// <summary>Max pooling over [N, C, H, W] windows; see <see cref="Tensor.MaxPool2d"/>. Stride defaults to the kernel size, as in PyTorch.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates the layer with a square window.</summary>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
        : this(Pool2dGeometry.Square(kernelSize, stride ?? kernelSize, padding) with { DilationH = dilation, DilationW = dilation, CeilMode = ceilMode })
    {
    }

    /// <summary>Creates the layer with any window geometry.</summary>
    public MaxPool2d(Pool2dGeometry geometry) => Geometry = geometry;

    /// <summary>Window, stride, padding and rounding.</summary>
    public Pool2dGeometry Geometry { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x) => Tensor.MaxPool2d(x, Geometry);
}

/// <summary>
/// Average pooling over [N, C, H, W] windows; see <see cref="Tensor.AvgPool2d"/>. Stride defaults
/// to the kernel size; by default padded zeros count towards the average, as in PyTorch.
/// </summary>
public sealed class AvgPool2d : Module
{
    /// <summary>Creates the layer with a square window.</summary>
    public AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true)
        : this(Pool2dGeometry.Square(kernelSize, stride ?? kernelSize, padding) with { CeilMode = ceilMode }, countIncludePad)
    {
    }

    /// <summary>Creates the layer with any window geometry.</summary>
    public AvgPool2d(Pool2dGeometry geometry, bool countIncludePad = true)
    {
        Geometry = geometry;
        CountIncludePad = countIncludePad;
    }

    /// <summary>Window, stride, padding and rounding.</summary>
    public Pool2dGeometry Geometry { get; }

    /// <summary>Whether padded positions count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x) => Tensor.AvgPool2d(x, Geometry, CountIncludePad);
}

/// <summary>
/// Average pooling to a fixed output size whatever the input size (PyTorch's adaptive windows:
/// output cell i spans ⌊i·H/outH⌋ .. ⌈(i+1)·H/outH⌉); see <see cref="Tensor.AdaptiveAvgPool2d"/>.
/// </summary>
public sealed class AdaptiveAvgPool2d : Module
{
    /// <summary>Creates the layer with a square output.</summary>
    public AdaptiveAvgPool2d(int outputSize) : this(outputSize, outputSize)
    {
    }

    /// <summary>Creates the layer with an [outH, outW] output.</summary>
    public AdaptiveAvgPool2d(int outputH, int outputW)
    {
        Init.CheckPositive(outputH, "AdaptiveAvgPool2d: output height");
        Init.CheckPositive(outputW, "AdaptiveAvgPool2d: output width");
        OutputH = outputH;
        OutputW = outputW;
    }

    /// <summary>Output height.</summary>
    public int OutputH { get; }

    /// <summary>Output width.</summary>
    public int OutputW { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x) => Tensor.AdaptiveAvgPool2d(x, OutputH, OutputW);
}
