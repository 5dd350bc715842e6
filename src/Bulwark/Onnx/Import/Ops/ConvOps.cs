using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Conv and ConvTranspose over 1 to 3 spatial axes. 1-D work runs on the 2-D engine ops with a
/// unit height axis; 3-D work is a sum over the depth taps of 2-D ops on depth slices (depth
/// folded into the batch), so it is differentiable like the 2-D ops.
/// </summary>
internal static class ConvOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Conv", Conv);
        t.Add("ConvTranspose", ConvTranspose);
    }

    private static OnnxKernel Conv(OnnxNode n)
    {
        n.Inputs(2, 3);
        n.Outputs(1);
        var window = WindowAttributes.Read(n, kernelRequired: false, maxDims: 3);
        int groups = Groups(n);
        return OpUtil.One(args =>
        {
            var (xv, w, b) = (args.Arg(0), args.Arg(1).AsTensor(), args.Opt(2)?.AsTensor());
            var x = NnArgs.FloatOf(xv, "X");
            CheckRanks(x, w);
            var axes = window.Resolve(x.Shape[2..], w.Shape[2..]);
            return OpUtil.Like(ConvNd(x, w, b, axes, groups), xv);
        });
    }

    private static OnnxKernel ConvTranspose(OnnxNode n)
    {
        n.Inputs(2, 3);
        n.Outputs(1);
        var window = WindowAttributes.Read(n, kernelRequired: false, maxDims: 3);
        int groups = Groups(n);
        var outputPadding = n.Ints("output_padding");
        var outputShape = n.Ints("output_shape");
        if (outputPadding is not null && (outputPadding.Any(p => p < 0 || p > int.MaxValue) || (window.Dims is { } d && outputPadding.Length != d)))
            throw n.Refuse($"output_padding [{string.Join(", ", outputPadding)}] must hold one non-negative value per spatial axis");
        if (outputShape is not null && (outputShape.Length is < 1 or > 5 || outputShape.Any(s => s < 1 || s > int.MaxValue)))
            throw n.Refuse($"output_shape [{string.Join(", ", outputShape)}] must hold one positive extent per spatial axis");
        return OpUtil.One(args =>
        {
            var (xv, w, b) = (args.Arg(0), args.Arg(1).AsTensor(), args.Opt(2)?.AsTensor());
            var x = NnArgs.FloatOf(xv, "X");
            CheckRanks(x, w);
            int dims = x.Rank - 2;
            var axes = window.Resolve(x.Shape[2..], w.Shape[2..]);
            var extra = new int[dims];
            for (int i = 0; i < dims; i++)
            {
                int outPad = outputPadding is null ? 0 : (int)outputPadding[i];
                var a = axes[i];
                int full = ((x.Shape[2 + i] - 1) * a.Stride) + a.Span + outPad;
                int? target = outputShape is null ? null
                    : outputShape.Length == dims ? (int)outputShape[i]
                    : outputShape.Length == dims + 2 ? (int)outputShape[i + 2]
                    : throw new BulwarkInputException($"output_shape has {outputShape.Length} values for {dims} spatial axes");
                if (target is null && window.AutoPad is "SAME_UPPER" or "SAME_LOWER")
                    target = x.Shape[2 + i] * a.Stride;
                int begin = a.PadBegin, end = a.PadEnd;
                if (target is { } t)
                {
                    // ONNX: the total padding is what the full output exceeds the wanted extent by;
                    // SAME_UPPER puts the odd one at the end, otherwise at the beginning.
                    int total = full - t;
                    int half = (int)Math.Floor(total / 2.0);
                    (begin, end) = window.AutoPad == "SAME_UPPER" ? (half, total - half) : (total - half, half);
                }
                if (begin < 0)
                    throw new BulwarkInputException($"output_shape asks for {target} positions on spatial axis {i}, more than the transposed convolution reaches");
                // A negative end pad (a wider wanted output) extends the output like output padding.
                extra[i] = outPad + Math.Max(0, -end);
                axes[i] = a with { PadBegin = begin, PadEnd = Math.Max(0, end) };
            }
            return OpUtil.Like(ConvTransposeNd(x, w, b, axes, extra, groups), xv);
        });
    }

    private static int Groups(OnnxNode n)
    {
        long groups = n.Int("group", 1);
        if (groups < 1 || groups > int.MaxValue)
            throw n.Refuse($"group {groups} must be at least 1");
        return (int)groups;
    }

    private static void CheckRanks(Tensor x, Tensor w)
    {
        if (x.Rank < 3 || w.Rank != x.Rank)
            throw new BulwarkInputException($"X [{string.Join(", ", x.Shape.ToArray())}] and W [{string.Join(", ", w.Shape.ToArray())}] must have the same rank, at least 3");
        if (x.Rank > 5)
            throw new BulwarkInputException($"{x.Rank - 2} spatial axes; at most 3 are supported");
    }

    private static Conv2dGeometry Geometry(AxisWindow h, AxisWindow w, int groups) =>
        new(h.Stride, w.Stride, h.PadBegin, w.PadBegin, h.PadEnd, w.PadEnd, h.Dilation, w.Dilation, groups);

    /// <summary>Convolution over 1, 2 or 3 spatial axes.</summary>
    public static Tensor ConvNd(Tensor x, Tensor w, Tensor? b, AxisWindow[] axes, int groups)
    {
        switch (axes.Length)
        {
            case 1:
                return Tensor.Conv2d(x.Unsqueeze(2), w.Unsqueeze(2), b, Geometry(AxisWindow.Unit, axes[0], groups)).Squeeze(2);
            case 2:
                return Tensor.Conv2d(x, w, b, Geometry(axes[0], axes[1], groups));
            default:
                return Conv3d(x, w, b, axes, groups);
        }
    }

    /// <summary>
    /// y[:, :, od] = Σ_kd conv2d(x[:, :, od·sD − padD + kd·dD], w[:, :, kd]): depth is zero-padded,
    /// each depth tap reads a strided slice of it, and the output depths run as a batch.
    /// </summary>
    private static Tensor Conv3d(Tensor x, Tensor w, Tensor? b, AxisWindow[] axes, int groups)
    {
        var depth = axes[0];
        int n = x.Dim(0), c = x.Dim(1), h = x.Dim(3), wd = x.Dim(4), o = w.Dim(0), kd = w.Dim(2);
        var padded = PadAxis(x, 2, depth.PadBegin, depth.PadEnd, 0f);
        int od = ((padded.Dim(2) - depth.Span) / depth.Stride) + 1;
        if (padded.Dim(2) < depth.Span)
            throw new BulwarkInputException($"the dilated kernel depth {depth.Span} does not fit in the padded input depth {padded.Dim(2)}");
        var g = Geometry(axes[1], axes[2], groups);
        Tensor? sum = null;
        for (int k = 0; k < kd; k++)
        {
            int first = k * depth.Dilation;
            var slab = padded.Slice(2, first, first + ((od - 1) * depth.Stride) + 1, depth.Stride);
            var planes = slab.Permute(0, 2, 1, 3, 4).Reshape(n * od, c, h, wd);
            var y = Tensor.Conv2d(planes, w.Select(2, k), null, g);
            sum = sum is null ? y : sum.Add(y);
        }
        var result = sum!.Reshape(n, od, o, sum.Dim(2), sum.Dim(3)).Permute(0, 2, 1, 3, 4);
        return b is null ? result : result.Add(b.Reshape(1, o, 1, 1, 1));
    }

    /// <summary>Transposed convolution over 1, 2 or 3 spatial axes; <paramref name="outputPad"/> extends the output's end.</summary>
    private static Tensor ConvTransposeNd(Tensor x, Tensor w, Tensor? b, AxisWindow[] axes, int[] outputPad, int groups)
    {
        switch (axes.Length)
        {
            case 1:
                return Tensor.ConvTranspose2d(x.Unsqueeze(2), w.Unsqueeze(2), b, Geometry(AxisWindow.Unit, axes[0], groups), 0, outputPad[0]).Squeeze(2);
            case 2:
                return Tensor.ConvTranspose2d(x, w, b, Geometry(axes[0], axes[1], groups), outputPad[0], outputPad[1]);
            default:
                return ConvTranspose3d(x, w, b, axes, outputPad, groups);
        }
    }

    /// <summary>
    /// Each depth tap kd is a 2-D transposed convolution of every input depth slice (depth folded
    /// into the batch) whose results land at depths id·sD + kd·dD of the uncropped output: spread
    /// out by interleaving zeros, shifted by zero padding, summed over the taps, then cropped by the
    /// depth pads and extended by the depth output padding.
    /// </summary>
    private static Tensor ConvTranspose3d(Tensor x, Tensor w, Tensor? b, AxisWindow[] axes, int[] outputPad, int groups)
    {
        var depth = axes[0];
        int n = x.Dim(0), c = x.Dim(1), d = x.Dim(2), kd = w.Dim(2);
        int full = ((d - 1) * depth.Stride) + depth.Span;
        var planes = x.Permute(0, 2, 1, 3, 4).Reshape(n * d, c, x.Dim(3), x.Dim(4));
        var g = Geometry(axes[1], axes[2], groups);
        Tensor? sum = null;
        for (int k = 0; k < kd; k++)
        {
            var y = Tensor.ConvTranspose2d(planes, w.Select(2, k), null, g, outputPad[1], outputPad[2]);
            var shape = new[] { n, d, y.Dim(1), y.Dim(2), y.Dim(3) };
            y = y.Reshape(shape);
            if (depth.Stride > 1)
            {
                var gaps = Enumerable.Repeat(Tensor.Zeros(shape), depth.Stride - 1);
                y = Tensor.Stack([y, .. gaps], 2).Reshape(n, d * depth.Stride, shape[2], shape[3], shape[4])
                    .Slice(1, 0, ((d - 1) * depth.Stride) + 1);
            }
            int shift = k * depth.Dilation;
            y = PadAxis(y, 1, shift, full - shift - y.Dim(1), 0f);
            sum = sum is null ? y : sum.Add(y);
        }
        int keep = Math.Min(full, full - depth.PadEnd + outputPad[0]) - depth.PadBegin;
        if (keep < 1)
            throw new BulwarkInputException($"the depth padding crops the whole output");
        var cropped = sum!.Slice(1, depth.PadBegin, depth.PadBegin + keep);
        cropped = PadAxis(cropped, 1, 0, Math.Max(0, outputPad[0] - depth.PadEnd), 0f);
        var result = cropped.Permute(0, 2, 1, 3, 4);
        return b is null ? result : result.Add(b.Reshape(1, result.Dim(1), 1, 1, 1));
    }

    /// <summary><paramref name="x"/> with <paramref name="before"/> and <paramref name="after"/> entries of <paramref name="value"/> added along <paramref name="axis"/>.</summary>
    public static Tensor PadAxis(Tensor x, int axis, int before, int after, float value)
    {
        if (before == 0 && after == 0)
            return x;
        var parts = new List<Tensor>(3);
        var shape = x.Shape.ToArray();
        if (before > 0)
        {
            shape[axis] = before;
            parts.Add(Tensor.Full(value, shape));
        }
        parts.Add(x);
        if (after > 0)
        {
            shape[axis] = after;
            parts.Add(Tensor.Full(value, shape));
        }
        return Tensor.Concat(parts, axis);
    }
}
