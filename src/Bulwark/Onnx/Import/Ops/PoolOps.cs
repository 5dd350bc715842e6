using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// MaxPool (with its optional Indices output), AveragePool, GlobalAveragePool and GlobalMaxPool
/// over 1 to 3 spatial axes. Pooling over a box is separable: 3-D pooling is a 2-D pooling of the
/// (H, W) planes followed by a 2-D pooling along depth, and the average's divisor (taps inside the
/// input, or inside the padded input with count_include_pad) is the product of the per-axis counts,
/// so both compose exactly. 1-D pooling runs with a unit height axis.
/// </summary>
internal static class PoolOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("MaxPool", MaxPool);
        t.Add("AveragePool", AveragePool);
        t.Add("GlobalAveragePool", n => Global(n, x => x.Mean(Enumerable.Range(2, x.Rank - 2).ToArray(), keepDim: true)));
        t.Add("GlobalMaxPool", n => Global(n, GlobalMax));
    }

    private static OnnxKernel MaxPool(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(2);
        var (window, ceil) = ReadWindow(n);
        bool columnMajor = Flag(n, "storage_order");
        bool wantIndices = n.OutputCount > 1 && n.Proto.Output[1].Length > 0;
        var kernel = window.KernelShape();
        return args =>
        {
            var xv = args.Arg(0);
            if (!xv.IsFloat && xv.ElementType is not (DataType.Int8 or DataType.Uint8))
                throw new BulwarkInputException($"X must be a floating-point or 8-bit integer tensor, got {xv.ElementType}");
            var x = SpatialInput(xv);
            var axes = window.Resolve(x.Shape[2..], kernel);
            var y = Pool(x, axes, ceil, max: true, countIncludePad: false);
            var output = xv.IsFloat ? OpUtil.Like(y, xv) : OnnxValue.FromIntegers(RoundToLongs(y), y.Shape.ToArray(), xv.ElementType);
            if (!wantIndices)
                return [output];
            var indices = MaxIndices(x.ToArray(), x.Shape.ToArray(), axes, y.Shape[2..].ToArray(), columnMajor);
            return [output, OnnxValue.FromIntegers(indices, y.Shape.ToArray())];
        };
    }

    private static OnnxKernel AveragePool(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        var (window, ceil) = ReadWindow(n);
        bool countIncludePad = Flag(n, "count_include_pad");
        var kernel = window.KernelShape();
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            var x = SpatialInput(xv);
            if (!xv.IsFloat)
                throw new BulwarkInputException($"X must be a floating-point tensor, got {xv.ElementType}");
            var axes = window.Resolve(x.Shape[2..], kernel);
            return OpUtil.Like(Pool(x, axes, ceil, max: false, countIncludePad), xv);
        });
    }

    private static (WindowAttributes Window, bool Ceil) ReadWindow(OnnxNode n)
    {
        var window = WindowAttributes.Read(n, kernelRequired: true, maxDims: 3);
        bool ceil = Flag(n, "ceil_mode");
        var kernel = window.KernelShape();
        int dims = kernel.Length;
        if (ceil && window.HasExplicitPads)
        {
            // Pads wider than half the window are run by padding explicitly, which would move
            // ceil mode's rule about windows that start in the end padding: refuse that pairing.
            for (int i = 0; i < dims; i++)
            {
                var (begin, end) = window.ExplicitPads(i, dims);
                if (!FitsEngine(new AxisWindow(kernel[i], 1, begin, end, Dilation(n, i))))
                    throw n.Refuse("ceil_mode with pads wider than half the window is not supported");
            }
        }
        return (window, ceil);
    }

    /// <summary>A 0/1 attribute (default 0); other values are refused.</summary>
    private static bool Flag(OnnxNode n, string name)
    {
        long v = n.Int(name, 0);
        return v is 0 or 1 ? v == 1 : throw n.Refuse($"{name} {v} must be 0 or 1");
    }

    private static int Dilation(OnnxNode n, int i) => n.Ints("dilations") is { } d ? (int)d[i] : 1;

    private static OnnxKernel Global(OnnxNode n, Func<Tensor, Tensor> pool)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            if (!xv.IsFloat)
                throw new BulwarkInputException($"X must be a floating-point tensor, got {xv.ElementType}");
            return OpUtil.Like(pool(SpatialInput(xv)), xv);
        });
    }

    private static Tensor GlobalMax(Tensor x)
    {
        if (x.Rank == 4)
            return Tensor.GlobalMaxPool2d(x);
        var shape = x.Shape.ToArray();
        var y = Tensor.GlobalMaxPool2d(x.Reshape(shape[0], shape[1], 1, (int)OpUtil.Count(shape.AsSpan(2))));
        Array.Fill(shape, 1, 2, shape.Length - 2);
        return y.Reshape(shape);
    }

    private static Tensor SpatialInput(OnnxValue v)
    {
        if (v.Rank < 3)
            throw new BulwarkInputException($"X must be [N, C, spatial…], got shape [{string.Join(", ", v.Dims())}]");
        return v.AsTensor();
    }

    private static long[] RoundToLongs(Tensor t)
    {
        var s = t.AsReadOnlySpan();
        var r = new long[s.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = (long)MathF.Round(s[i]);
        return r;
    }

    /// <summary>Max or average pooling over 1, 2 or 3 spatial axes.</summary>
    public static Tensor Pool(Tensor x, AxisWindow[] axes, bool ceil, bool max, bool countIncludePad)
    {
        switch (axes.Length)
        {
            case 1:
                return Pool2d(x.Unsqueeze(2), AxisWindow.Unit, axes[0], ceil, max, countIncludePad).Squeeze(2);
            case 2:
                return Pool2d(x, axes[0], axes[1], ceil, max, countIncludePad);
            default:
                int n = x.Dim(0), c = x.Dim(1), d = x.Dim(2);
                var planes = Pool2d(x.Reshape(n, c * d, x.Dim(3), x.Dim(4)), axes[1], axes[2], ceil, max, countIncludePad);
                int oh = planes.Dim(2), ow = planes.Dim(3);
                var y = Pool2d(planes.Reshape(n, c, d, oh * ow), axes[0], AxisWindow.Unit, ceil, max, countIncludePad);
                return y.Reshape(n, c, y.Dim(2), oh, ow);
        }
    }

    /// <summary>Whether the engine's pools take this axis as is (each pad at most half the dilated window, as in PyTorch).</summary>
    private static bool FitsEngine(AxisWindow a) => Math.Max(a.PadBegin, a.PadEnd) <= a.Span / 2;

    private static Tensor Pool2d(Tensor x, AxisWindow h, AxisWindow w, bool ceil, bool max, bool countIncludePad)
    {
        if (FitsEngine(h) && FitsEngine(w))
        {
            var g = new Pool2dGeometry(h.Kernel, w.Kernel, h.Stride, w.Stride, h.PadBegin, w.PadBegin, h.PadEnd, w.PadEnd, h.Dilation, w.Dilation, ceil);
            return max ? Tensor.MaxPool2d(x, g) : Tensor.AvgPool2d(x, g, countIncludePad);
        }
        // ONNX allows wider pads: pad explicitly (−∞ for max, zeros for average) and pool unpadded.
        // Without count_include_pad the divisor is the number of real taps: the same pooling of ones.
        var plain = new Pool2dGeometry(h.Kernel, w.Kernel, h.Stride, w.Stride, DilationH: h.Dilation, DilationW: w.Dilation);
        Tensor Padded(Tensor t, float value) =>
            ConvOps.PadAxis(ConvOps.PadAxis(t, 2, h.PadBegin, h.PadEnd, value), 3, w.PadBegin, w.PadEnd, value);
        if (max)
            return Tensor.MaxPool2d(Padded(x, float.NegativeInfinity), plain);
        var sum = Tensor.AvgPool2d(Padded(x, 0f), plain, countIncludePad: true);
        if (countIncludePad)
            return sum;
        var taps = Tensor.AvgPool2d(Padded(Tensor.Ones(1, 1, x.Dim(2), x.Dim(3)), 0f), plain, countIncludePad: true);
        return sum.Div(taps);
    }

    /// <summary>
    /// MaxPool's Indices: for each output, the flat index into X of the element taken (the first
    /// maximal one in row-major order), with the spatial part in column-major order when
    /// <paramref name="columnMajor"/> (storage_order 1).
    /// </summary>
    private static long[] MaxIndices(float[] x, int[] shape, AxisWindow[] axes, int[] outSpatial, bool columnMajor)
    {
        // Lift to three spatial axes with leading unit axes.
        int lift = 3 - axes.Length;
        var a = new AxisWindow[3];
        var inS = new int[3];
        var outS = new int[3];
        for (int i = 0; i < 3; i++)
        {
            bool unit = i < lift;
            a[i] = unit ? AxisWindow.Unit : axes[i - lift];
            inS[i] = unit ? 1 : shape[2 + i - lift];
            outS[i] = unit ? 1 : outSpatial[i - lift];
        }
        int planes = shape[0] * shape[1];
        int inPlane = inS[0] * inS[1] * inS[2];
        var result = new long[planes * outS[0] * outS[1] * outS[2]];
        int r = 0;
        for (int p = 0; p < planes; p++)
            for (int od = 0; od < outS[0]; od++)
                for (int oh = 0; oh < outS[1]; oh++)
                    for (int ow = 0; ow < outS[2]; ow++)
                    {
                        long best = -1;
                        float bestValue = 0;
                        for (int kd = 0; kd < a[0].Kernel; kd++)
                        {
                            int id = (od * a[0].Stride) - a[0].PadBegin + (kd * a[0].Dilation);
                            if (id < 0 || id >= inS[0])
                                continue;
                            for (int kh = 0; kh < a[1].Kernel; kh++)
                            {
                                int ih = (oh * a[1].Stride) - a[1].PadBegin + (kh * a[1].Dilation);
                                if (ih < 0 || ih >= inS[1])
                                    continue;
                                for (int kw = 0; kw < a[2].Kernel; kw++)
                                {
                                    int iw = (ow * a[2].Stride) - a[2].PadBegin + (kw * a[2].Dilation);
                                    if (iw < 0 || iw >= inS[2])
                                        continue;
                                    float v = x[(long)p * inPlane + (((id * inS[1]) + ih) * inS[2]) + iw];
                                    if (best >= 0 && !(v > bestValue))
                                        continue;
                                    bestValue = v;
                                    best = columnMajor ? (((iw * (long)inS[1]) + ih) * inS[0]) + id : (((id * (long)inS[1]) + ih) * inS[2]) + iw;
                                }
                            }
                        }
                        result[r++] = best < 0 ? -1 : ((long)p * inPlane) + best;
                    }
        return result;
    }
}
