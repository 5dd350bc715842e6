using Bulwark.Engine.Autograd;
using Bulwark.Engine.Kernels;

namespace Bulwark.Engine;

/// <summary>
/// 2-D convolution and pooling on NCHW tensors. Each backward rule is again an op of this family,
/// so gradients of gradients work: the convolution's input gradient (a transposed convolution) and
/// weight gradient are ops whose own gradients are <see cref="Conv2d"/> or each other; max pooling's
/// backward is a scatter to the saved arg-max positions whose backward is a gather there; average
/// pooling and its adjoint are each other's backward.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>
    /// 2-D cross-correlation, as ONNX <c>Conv</c> and PyTorch <c>conv2d</c>:
    /// y[n, o, i, j] = bias[o] + Σ_{c, kh, kw} w[o, c, kh, kw] · x[n, g·C/groups + c, i·sH − padTop + kh·dH, j·sW − padLeft + kw·dW],
    /// where g = o / (O/groups) and positions outside the input read zero.
    /// </summary>
    /// <param name="input">[N, C, H, W]; any strides.</param>
    /// <param name="weight">[O, C/groups, kH, kW], O divisible by groups.</param>
    /// <param name="bias">[O], or null for none.</param>
    /// <param name="geometry">Stride, padding, dilation and groups.</param>
    /// <returns>[N, O, OH, OW] with the extents of <see cref="Conv2dGeometry"/>.</returns>
    /// <exception cref="BulwarkInputException">The shapes or the geometry do not fit together.</exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        var s = ConvShapeOf(input, weight, bias, geometry);
        // Every kernel of this family writes (or clears) its whole output, so its buffers skip zeroing.
        var y = TensorArena.Allocate(ShapeUtil.Product(s.OutputShape), zeroed: false);
        Conv2dKernels.Forward(Data(input), Data(weight), bias is null ? ReadOnlyMemory<float>.Empty : Data(bias), y, s);
        var result = new Tensor(y, s.OutputShape);
        Tensor[] inputs = bias is null ? [input, weight] : [input, weight, bias];
        return Tape.Record(result, "Conv2d", inputs, g =>
        {
            var gx = input.RequiresGrad ? ConvTransposeLike(g, weight, s) : null;
            var gw = weight.RequiresGrad ? ConvWeightGrad(input, g, s) : null;
            return bias is null ? [gx, gw] : [gx, gw, bias.RequiresGrad ? ConvBiasGrad(g) : null];
        });
    }

    /// <summary>
    /// <c>MaxPool2d(Relu(Conv2d(input, weight, bias, convolution)), pooling)</c> in one pass, for
    /// inference only (nothing may be recording): the convolution's output is pooled from the
    /// kernels' buffers as it is produced, so it is never stored at full size. The numbers are
    /// exactly those of the three separate ops, except that a 3×3 stride-1 convolution with 2×2
    /// pooling may run by Winograd's F(2×2, 3×3) and differ in the last bits (see
    /// <see cref="EngineSettings.WinogradConvolution"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The tape is recording.</exception>
    /// <exception cref="BulwarkInputException">The shapes or a geometry do not fit together.</exception>
    internal static Tensor Conv2dReluMaxPool(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry convolution, Pool2dGeometry pooling)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (Tape.IsRecording)
        {
            throw new InvalidOperationException("Conv2dReluMaxPool is inference-only: it records no gradient, so call it inside Tape.NoGrad().");
        }
        var s = ConvShapeOf(input, weight, bias, convolution);
        var win = PoolWindowsOf("MaxPool2d", s.OutputShape, pooling, countIncludePad: true);
        int[] outShape = [s.N, s.O, win.OutH, win.OutW];
        var y = TensorArena.Allocate(ShapeUtil.Product(outShape), zeroed: false);
        Conv2dKernels.Forward(Data(input), Data(weight), bias is null ? ReadOnlyMemory<float>.Empty : Data(bias), y, s, win);
        return new Tensor(y, outShape);
    }

    /// <summary>
    /// The input gradient of <see cref="Conv2d"/> as an op of its own: the transposed convolution of
    /// <paramref name="gradOut"/> [N, O, OH, OW] with <paramref name="weight"/>, shaped like the
    /// convolution's input. It is linear in each argument, so its gradients are a convolution (for
    /// gradOut) and a weight gradient (for weight).
    /// </summary>
    internal static Tensor ConvTransposeLike(Tensor gradOut, Tensor weight, Conv2dShape s)
    {
        CheckShape("ConvTransposeLike", gradOut, s.OutputShape);
        CheckShape("ConvTransposeLike", weight, s.WeightShape);
        var gx = TensorArena.Allocate(ShapeUtil.Product(s.InputShape), zeroed: false);
        Conv2dKernels.InputGrad(Data(gradOut), Data(weight), gx, s);
        return Tape.Record(new Tensor(gx, s.InputShape), "ConvTransposeLike", gradOut, weight, h => (
            gradOut.RequiresGrad ? Conv2d(h, weight, null, s.G) : null,
            weight.RequiresGrad ? ConvWeightGrad(h, gradOut, s) : null));
    }

    /// <summary>
    /// The weight gradient of <see cref="Conv2d"/> as an op of its own: Σ over the batch of the
    /// correlation of <paramref name="input"/> with <paramref name="gradOut"/>, shaped like the
    /// weight. Linear in each argument: its gradients are a transposed convolution (for input) and a
    /// convolution (for gradOut).
    /// </summary>
    internal static Tensor ConvWeightGrad(Tensor input, Tensor gradOut, Conv2dShape s)
    {
        CheckShape("ConvWeightGrad", input, s.InputShape);
        CheckShape("ConvWeightGrad", gradOut, s.OutputShape);
        var gw = TensorArena.Allocate(ShapeUtil.Product(s.WeightShape), zeroed: false);
        Conv2dKernels.WeightGrad(Data(input), Data(gradOut), gw, s);
        return Tape.Record(new Tensor(gw, s.WeightShape), "ConvWeightGrad", input, gradOut, h => (
            input.RequiresGrad ? ConvTransposeLike(gradOut, h, s) : null,
            gradOut.RequiresGrad ? Conv2d(input, h, null, s.G) : null));
    }

    /// <summary>
    /// The bias gradient of <see cref="Conv2d"/>: <paramref name="gradOut"/> [N, O, OH, OW] summed
    /// over N, OH and OW. A kernel of its own because the general reduction first copies its whole
    /// input, which for a convolution's output gradient costs more than the sum; its backward
    /// (broadcasting back over N, OH, OW) is written with tensor ops.
    /// </summary>
    internal static Tensor ConvBiasGrad(Tensor gradOut)
    {
        int[] gShape = (int[])gradOut.shape.Clone();
        var gb = TensorArena.Allocate(gShape[1], zeroed: false);
        Conv2dKernels.BiasGrad(Data(gradOut), gb, gShape[0], gShape[1], gShape[2] * gShape[3]);
        return Tape.Record(new Tensor(gb, [gShape[1]]), "ConvBiasGrad", gradOut, h => h.Reshape(1, gShape[1], 1, 1).Expand(gShape));
    }

    /// <summary>
    /// Max pooling, as ONNX <c>MaxPool</c> and PyTorch <c>max_pool2d</c>: the maximum of each
    /// window, padding counting as −∞; a NaN in a window propagates. The gradient flows to the
    /// element that was taken (the first maximal one in row-major order on ties).
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="geometry">Window, stride, padding, dilation and ceil mode.</param>
    /// <returns>[N, C, OH, OW].</returns>
    /// <exception cref="BulwarkInputException">The input is not 4-D or the geometry is invalid for it.</exception>
    public static Tensor MaxPool2d(Tensor input, Pool2dGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(input);
        var win = PoolWindowsOf("MaxPool2d", input.shape, geometry, countIncludePad: true);
        return MaxPoolOver(input, win, "MaxPool2d");
    }

    /// <summary>
    /// Average pooling, as ONNX <c>AveragePool</c> and PyTorch <c>avg_pool2d</c>: the mean of each
    /// window, padding counting as zeros. With <paramref name="countIncludePad"/> the divisor is the
    /// number of window taps inside the padded input (PyTorch <c>count_include_pad=True</c>, the
    /// default); otherwise the number inside the input itself (ONNX's default).
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="geometry">Window, stride, padding, dilation and ceil mode.</param>
    /// <param name="countIncludePad">Whether padded taps count in the divisor.</param>
    /// <returns>[N, C, OH, OW].</returns>
    /// <exception cref="BulwarkInputException">The input is not 4-D or the geometry is invalid for it.</exception>
    public static Tensor AvgPool2d(Tensor input, Pool2dGeometry geometry, bool countIncludePad = true)
    {
        ArgumentNullException.ThrowIfNull(input);
        return WindowAverage(input, PoolWindowsOf("AvgPool2d", input.shape, geometry, countIncludePad));
    }

    /// <summary>
    /// Adaptive average pooling, as PyTorch <c>adaptive_avg_pool2d</c>: output cell (i, j) is the
    /// mean of input rows ⌊i·H/outH⌋ … ⌈(i+1)·H/outH⌉ − 1 and the like columns, so any input size
    /// maps to [outH, outW] (windows overlap when the sizes do not divide).
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <param name="outH">Output height (≥ 1).</param>
    /// <param name="outW">Output width (≥ 1).</param>
    /// <returns>[N, C, outH, outW].</returns>
    /// <exception cref="BulwarkInputException">The input is not 4-D or an output size is below 1.</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outH, int outW)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckPoolInput("AdaptiveAvgPool2d", input.shape);
        if (outH < 1 || outW < 1)
        {
            throw new BulwarkInputException($"AdaptiveAvgPool2d: output size {outH}×{outW} must be at least 1×1 (input {ShapeUtil.Format(input.shape)}).");
        }
        return WindowAverage(input, PoolWindows.Adaptive(input.shape[2], input.shape[3], outH, outW));
    }

    /// <summary>
    /// Global max pooling, as ONNX <c>GlobalMaxPool</c>: the maximum of each channel plane, with
    /// the gradient flowing to the first maximal element.
    /// </summary>
    /// <param name="input">[N, C, H, W].</param>
    /// <returns>[N, C, 1, 1].</returns>
    /// <exception cref="BulwarkInputException">The input is not 4-D.</exception>
    public static Tensor GlobalMaxPool2d(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckPoolInput("GlobalMaxPool2d", input.shape);
        var win = PoolWindows.Adaptive(input.shape[2], input.shape[3], 1, 1);
        return MaxPoolOver(input, win, "GlobalMaxPool2d");
    }

    // ---------------------------------------------------------------- pooling ops and adjoints

    private static Tensor MaxPoolOver(Tensor input, PoolWindows win, string name)
    {
        int planes = input.shape[0] * input.shape[1];
        int[] outShape = [input.shape[0], input.shape[1], win.OutH, win.OutW];
        var y = TensorArena.Allocate(ShapeUtil.Product(outShape), zeroed: false);
        var arg = TensorArena.AllocateInts(y.Length);
        PoolKernels.MaxForward(Data(input), y, arg, planes, win);
        return Tape.Record(new Tensor(y, outShape), name, input, g => MaxPoolScatter(g, arg, win));
    }

    /// <summary>
    /// Max pooling's backward: g [N, C, OH, OW] added into zeros shaped like the pooled input at the
    /// saved in-plane positions <paramref name="arg"/>. Its own backward gathers there.
    /// </summary>
    internal static Tensor MaxPoolScatter(Tensor g, int[] arg, PoolWindows win)
    {
        int[] inShape = [g.shape[0], g.shape[1], win.InH, win.InW];
        var gx = TensorArena.Allocate(ShapeUtil.Product(inShape), zeroed: false);
        PoolKernels.ScatterAt(Data(g), arg, gx, g.shape[0] * g.shape[1], win);
        return Tape.Record(new Tensor(gx, inShape), "MaxPoolScatter", g, h => MaxPoolGather(h, arg, win));
    }

    /// <summary>x [N, C, H, W] read at the saved in-plane positions; the adjoint of <see cref="MaxPoolScatter"/>.</summary>
    internal static Tensor MaxPoolGather(Tensor x, int[] arg, PoolWindows win)
    {
        int[] outShape = [x.shape[0], x.shape[1], win.OutH, win.OutW];
        var y = TensorArena.Allocate(ShapeUtil.Product(outShape), zeroed: false);
        PoolKernels.GatherAt(Data(x), arg, y, x.shape[0] * x.shape[1], win.InH * win.InW, win.OutH * win.OutW);
        return Tape.Record(new Tensor(y, outShape), "MaxPoolGather", x, g => MaxPoolScatter(g, arg, win));
    }

    /// <summary>Average over each window of <paramref name="win"/>; its backward is <see cref="WindowAverageTranspose"/>.</summary>
    internal static Tensor WindowAverage(Tensor x, PoolWindows win)
    {
        int[] outShape = [x.shape[0], x.shape[1], win.OutH, win.OutW];
        var y = TensorArena.Allocate(ShapeUtil.Product(outShape), zeroed: false);
        PoolKernels.Average(Data(x), y, x.shape[0] * x.shape[1], win);
        return Tape.Record(new Tensor(y, outShape), "AvgPool2d", x, g => WindowAverageTranspose(g, win));
    }

    /// <summary>The adjoint of <see cref="WindowAverage"/>, spreading each output's share over its window; its backward is <see cref="WindowAverage"/>.</summary>
    internal static Tensor WindowAverageTranspose(Tensor g, PoolWindows win)
    {
        int[] inShape = [g.shape[0], g.shape[1], win.InH, win.InW];
        var gx = TensorArena.Allocate(ShapeUtil.Product(inShape), zeroed: false);
        PoolKernels.AverageTranspose(Data(g), gx, g.shape[0] * g.shape[1], win);
        return Tape.Record(new Tensor(gx, inShape), "AvgPool2dBackward", g, h => WindowAverage(h, win));
    }

    // ---------------------------------------------------------------- validation

    private static ReadOnlyMemory<float> Data(Tensor t) => t.IsContiguous ? t.storage.AsMemory(t.offset, t.Size) : t.ToArray();

    private static Conv2dShape ConvShapeOf(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry g)
    {
        string Shapes() => $"input {ShapeUtil.Format(input.shape)}, weight {ShapeUtil.Format(weight.shape)}"
            + (bias is null ? "" : $", bias {ShapeUtil.Format(bias.shape)}") + $", {g.Describe()}";
        if (input.Rank != 4 || weight.Rank != 4)
        {
            throw new BulwarkInputException($"Conv2d: input must be [N, C, H, W] and weight [O, C/groups, kH, kW] ({Shapes()}).");
        }
        if (g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1 || g.Groups < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.PadBottom < 0 || g.PadRight < 0)
        {
            throw new BulwarkInputException($"Conv2d: strides, dilations and groups must be at least 1 and pads non-negative ({Shapes()}).");
        }
        int c = input.shape[1];
        int o = weight.shape[0];
        if (c < 1 || o < 1 || weight.shape[2] < 1 || weight.shape[3] < 1)
        {
            throw new BulwarkInputException($"Conv2d: channels and kernel extents must be at least 1 ({Shapes()}).");
        }
        if (c % g.Groups != 0 || o % g.Groups != 0 || weight.shape[1] != c / g.Groups)
        {
            throw new BulwarkInputException($"Conv2d: with {g.Groups} groups the input channels ({c}) and output channels ({o}) must divide evenly and the weight's second axis must be {c}/{g.Groups} ({Shapes()}).");
        }
        if (bias is not null && (bias.Rank != 1 || bias.shape[0] != o))
        {
            throw new BulwarkInputException($"Conv2d: bias must be [{o}] ({Shapes()}).");
        }
        var s = new Conv2dShape(input.shape[0], c, input.shape[2], input.shape[3], o, weight.shape[2], weight.shape[3], g);
        if (s.OH < 1 || s.OW < 1)
        {
            throw new BulwarkInputException($"Conv2d: the dilated kernel does not fit in the padded input ({Shapes()}).");
        }
        return s;
    }

    private static void CheckShape(string op, Tensor t, int[] expected)
    {
        if (!ShapeUtil.SameShape(t.shape, expected))
        {
            throw new BulwarkInputException($"{op}: expected {ShapeUtil.Format(expected)}, got {ShapeUtil.Format(t.shape)}.");
        }
    }

    private static void CheckPoolInput(string op, int[] shape)
    {
        if (shape.Length != 4 || shape[2] < 1 || shape[3] < 1)
        {
            throw new BulwarkInputException($"{op}: input must be [N, C, H, W] with H, W ≥ 1, got {ShapeUtil.Format(shape)}.");
        }
    }

    private static PoolWindows PoolWindowsOf(string op, int[] shape, Pool2dGeometry g, bool countIncludePad)
    {
        CheckPoolInput(op, shape);
        string Shapes() => $"input {ShapeUtil.Format(shape)}, {g.Describe()}";
        if (g.KernelH < 1 || g.KernelW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilationH < 1 || g.DilationW < 1
            || g.PadTop < 0 || g.PadLeft < 0 || g.PadBottom < 0 || g.PadRight < 0)
        {
            throw new BulwarkInputException($"{op}: kernel, strides and dilations must be at least 1 and pads non-negative ({Shapes()}).");
        }
        int halfH = ((g.DilationH * (g.KernelH - 1)) + 1) / 2;
        int halfW = ((g.DilationW * (g.KernelW - 1)) + 1) / 2;
        if (Math.Max(g.PadTop, g.PadBottom) > halfH || Math.Max(g.PadLeft, g.PadRight) > halfW)
        {
            throw new BulwarkInputException($"{op}: each pad must be at most half the dilated kernel extent ({Shapes()}).");
        }
        var win = PoolWindows.FromGeometry(g, shape[2], shape[3], countIncludePad);
        if (win.OutH < 1 || win.OutW < 1)
        {
            throw new BulwarkInputException($"{op}: the window does not fit in the padded input ({Shapes()}).");
        }
        return win;
    }
}
