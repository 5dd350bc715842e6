using Bulwark.Engine.Autograd;
namespace Bulwark.Engine.Nn;

/// <summary>
/// A 2-D convolution (cross-correlation, as in every deep-learning library) over [N, C, H, W]
/// inputs, with PyTorch's options: stride, zero padding, dilation and groups. Weight
/// [out, in/groups, kH, kW] and bias [out] start U(−1/√fan_in, 1/√fan_in), fan_in = in/groups·kH·kW,
/// as PyTorch's defaults do. The arithmetic is <see cref="Tensor.Conv2d"/>.
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates a layer with a square kernel and symmetric, equal settings on both axes.</summary>
    public Conv2d(int inChannels, int outChannels, int kernelSize, Rng rng, int stride = 1, int padding = 0, int dilation = 1, int groups = 1, bool bias = true)
        : this(inChannels, outChannels, kernelSize, kernelSize, rng, Conv2dGeometry.Square(stride, padding, dilation, groups), bias)
    {
    }

    /// <summary>Creates a layer with any kernel size and geometry (asymmetric padding included).</summary>
    public Conv2d(int inChannels, int outChannels, int kernelH, int kernelW, Rng rng, Conv2dGeometry geometry, bool bias = true)
    {
        Init.CheckPositive(inChannels, "Conv2d: inChannels");
        Init.CheckPositive(outChannels, "Conv2d: outChannels");
        Init.CheckPositive(kernelH, "Conv2d: kernel height");
        Init.CheckPositive(kernelW, "Conv2d: kernel width");
        Init.CheckPositive(geometry.Groups, "Conv2d: groups");
        if (inChannels % geometry.Groups != 0 || outChannels % geometry.Groups != 0)
        {
            throw new BulwarkInputException($"Conv2d: groups {geometry.Groups} must divide both inChannels {inChannels} and outChannels {outChannels}.");
        }
        InChannels = inChannels;
        OutChannels = outChannels;
        Geometry = geometry;
        int perGroup = inChannels / geometry.Groups;
        int fanIn = perGroup * kernelH * kernelW;
        Weight = RegisterParameter("weight", Init.FanInUniform(rng, fanIn, outChannels, perGroup, kernelH, kernelW));
        if (bias)
        {
            Bias = RegisterParameter("bias", Init.FanInUniform(rng, fanIn, outChannels));
        }
    }

    /// <summary>Input channels.</summary>
    public int InChannels { get; }

    /// <summary>Output channels.</summary>
    public int OutChannels { get; }

    /// <summary>Stride, padding, dilation and groups.</summary>
    public Conv2dGeometry Geometry { get; }

    /// <summary>The kernels, shape [out, in/groups, kH, kW].</summary>
    public Tensor Weight { get; }

    /// <summary>The bias, shape [out]; null when created without one.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc />
    public override Tensor Forward(Tensor x)
    {
        var y = Tensor.Conv2d(x, Weight, Bias, Geometry);
        ActivationCapture.Add(this, x, y);
        return y;
    }
}
