using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Resize (opsets 10 to 19) and the older Upsample (7 to 9). Resampling is separable: each
/// resized axis maps every output coordinate to a few input coordinates with weights (one for
/// nearest, two for linear, four for cubic), so the op is a handful of gathers and weighted sums
/// and differentiable in the input. Nearest resampling of integer data is exact; linear and cubic
/// need floating-point data. Antialiasing is refused.
/// </summary>
internal static class ResizeOp
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Resize", Resize);
        t.Add("Upsample", Upsample);
    }

    private enum Mode
    {
        Nearest,
        Linear,
        Cubic,
    }

    /// <summary>Everything fixed at load: how coordinates map and how samples combine.</summary>
    private sealed record Settings(Mode Mode, string Coordinates, string Rounding, double CubicA, bool ExcludeOutside, float Extrapolation);

    private static Mode ReadMode(OnnxNode n, bool cubic)
    {
        string mode = n.String("mode", "nearest");
        return mode switch
        {
            "nearest" => Mode.Nearest,
            "linear" => Mode.Linear,
            "cubic" when cubic => Mode.Cubic,
            _ => throw n.Refuse($"mode '{mode}' is not supported"),
        };
    }

    private static OnnxKernel Upsample(OnnxNode n)
    {
        if (n.Opset < 7 || n.Opset >= 10)
            throw n.Refuse("Upsample is supported in opsets 7 to 9 (use Resize from opset 10)");
        n.Outputs(1);
        var settings = new Settings(ReadMode(n, cubic: false), "asymmetric", "floor", 0, false, 0);
        float[]? fixedScales = null;
        if (n.Opset < 9)
        {
            n.Inputs(1, 1);
            fixedScales = n.Floats("scales") ?? throw n.Refuse("attribute 'scales' is required");
        }
        else
        {
            n.Inputs(2, 2);
        }
        return OpUtil.One(args => Resample(n, settings, args.Arg(0), fixedScales ?? Floats(args.Arg(1)), null, null, null, "stretch"));
    }

    private static OnnxKernel Resize(OnnxNode n)
    {
        n.Outputs(1);
        if (n.Opset < 11)
        {
            n.Inputs(2, 2);
            var legacy = new Settings(ReadMode(n, cubic: false), "asymmetric", "floor", 0, false, 0);
            return OpUtil.One(args => Resample(n, legacy, args.Arg(0), Floats(args.Arg(1)), null, null, null, "stretch"));
        }
        n.Inputs(n.Opset < 13 ? 3 : 1, 4);
        var mode = ReadMode(n, cubic: true);
        string coordinates = n.String("coordinate_transformation_mode", "half_pixel");
        bool known = coordinates is "half_pixel" or "pytorch_half_pixel" or "align_corners" or "asymmetric" or "tf_crop_and_resize"
            || (coordinates == "tf_half_pixel_for_nn" && n.Opset < 13)
            || (coordinates == "half_pixel_symmetric" && n.Opset >= 19);
        if (!known)
            throw n.Refuse($"coordinate_transformation_mode '{coordinates}' is not supported in opset {n.Opset}");
        string rounding = n.String("nearest_mode", "round_prefer_floor");
        if (rounding is not ("round_prefer_floor" or "round_prefer_ceil" or "floor" or "ceil"))
            throw n.Refuse($"nearest_mode '{rounding}' is not supported");
        var settings = new Settings(mode, coordinates, rounding, n.Float("cubic_coeff_a", -0.75f),
            n.Int("exclude_outside", 0) != 0, n.Float("extrapolation_value", 0f));
        long[]? axes = null;
        string policy = "stretch";
        if (n.Opset >= 18)
        {
            if (n.Int("antialias", 0) != 0)
                throw n.Refuse("antialias is not supported");
            axes = n.Ints("axes");
            policy = n.String("keep_aspect_ratio_policy", "stretch");
            if (policy is not ("stretch" or "not_larger" or "not_smaller"))
                throw n.Refuse($"keep_aspect_ratio_policy '{policy}' is not supported");
        }
        return OpUtil.One(args =>
        {
            var scales = args.Opt(2) is { Size: > 0 } s ? Floats(s) : null;
            var sizes = args.Opt(3) is { Size: > 0 } z ? OpUtil.Longs(z, "sizes") : null;
            if ((scales is null) == (sizes is null))
                throw new BulwarkInputException("exactly one of scales and sizes must be given");
            var roi = args.Opt(1) is { Size: > 0 } r ? Floats(r) : null;
            return Resample(n, settings, args.Arg(0), scales, sizes, roi, axes, policy);
        });
    }

    private static float[] Floats(OnnxValue v)
    {
        if (v.Rank > 1)
            throw new BulwarkInputException($"expected a 1-D tensor, got [{string.Join(", ", v.Dims())}]");
        return v.AsTensor().ToArray();
    }

    private static OnnxValue Resample(OnnxNode n, Settings s, OnnxValue x, float[]? scales, long[]? sizes, float[]? roi, long[]? axesAttr, string policy)
    {
        int rank = x.Rank;
        var axes = axesAttr?.Select(a => OpUtil.Axis(a, rank)).ToArray() ?? Layout.Identity(rank);
        if (axes.Distinct().Count() != axes.Length)
            throw new BulwarkInputException("axes repeat an axis");
        int k = axes.Length;
        if ((scales?.Length ?? sizes!.Length) != k)
            throw new BulwarkInputException($"{scales?.Length ?? sizes!.Length} scales or sizes for {k} axes");
        bool crop = s.Coordinates == "tf_crop_and_resize";
        if (crop && (roi is null || roi.Length != 2 * k))
            throw new BulwarkInputException($"tf_crop_and_resize needs a roi of {2 * k} values");

        var scale = new double[rank];
        var outDims = new long[rank];
        for (int d = 0; d < rank; d++)
            (scale[d], outDims[d]) = (1, x.Shape[d]);
        if (scales is not null)
        {
            for (int i = 0; i < k; i++)
            {
                if (!(scales[i] > 0) || !float.IsFinite(scales[i]))
                    throw new BulwarkInputException($"scale {scales[i]} is not positive");
                scale[axes[i]] = scales[i];
                double size = Math.Floor(scales[i] * (double)x.Shape[axes[i]]);
                outDims[axes[i]] = size > n.MaxElements ? n.MaxElements + 1 : (long)size;
            }
        }
        else
        {
            var ratio = new double[k];
            for (int i = 0; i < k; i++)
            {
                if (sizes![i] < 0)
                    throw new BulwarkInputException($"size {sizes[i]} is negative");
                ratio[i] = sizes[i] / (double)x.Shape[axes[i]];
            }
            for (int i = 0; i < k; i++)
            {
                double r = policy switch { "not_larger" => ratio.Min(), "not_smaller" => ratio.Max(), _ => ratio[i] };
                scale[axes[i]] = r;
                outDims[axes[i]] = policy == "stretch" ? sizes![i] : (long)((r * x.Shape[axes[i]]) + 0.5);
            }
        }
        var shape = Layout.CheckedShape(n, outDims, "resized output");
        foreach (int d in axes)
            if (x.Shape[d] == 0 && shape[d] > 0)
                throw new BulwarkInputException($"cannot resize the empty axis {d} to {shape[d]}");

        var plans = new List<(int Axis, Taps Taps)>();
        for (int i = 0; i < k; i++)
        {
            int d = axes[i];
            double start = crop ? roi![i] : 0, end = crop ? roi![k + i] : 1;
            bool identity = Math.Abs(scale[d] - 1) < 1e-9 && shape[d] == x.Shape[d] && (!crop || (Math.Abs(start) < 1e-9 && Math.Abs(end - 1) < 1e-9));
            if (!identity)
                plans.Add((d, AxisTaps(s, x.Shape[d], shape[d], scale[d], start, end)));
        }
        return s.Mode == Mode.Nearest ? Nearest(x, plans, s) : Interpolate(x, plans, s, shape);
    }

    /// <summary>For each output coordinate of one axis: the input coordinates it reads, their weights, and whether it lies outside the crop.</summary>
    private sealed record Taps(int[][] Index, double[][] Weight, bool[] Outside);

    private static Taps AxisTaps(Settings s, int inSize, int outSize, double scale, double roiStart, double roiEnd)
    {
        int count = s.Mode switch { Mode.Nearest => 1, Mode.Linear => 2, _ => 4 };
        var index = new int[count][];
        var weight = new double[count][];
        for (int t = 0; t < count; t++)
            (index[t], weight[t]) = (new int[outSize], new double[outSize]);
        var outside = new bool[outSize];
        double width = scale * inSize;
        for (int y = 0; y < outSize; y++)
        {
            double x = s.Coordinates switch
            {
                "half_pixel" => ((y + 0.5) / scale) - 0.5,
                "pytorch_half_pixel" => width == 1 ? -0.5 : ((y + 0.5) / scale) - 0.5,
                "align_corners" => width == 1 ? 0 : y * (inSize - 1) / (width - 1),
                "asymmetric" => y / scale,
                "tf_half_pixel_for_nn" => (y + 0.5) / scale,
                "half_pixel_symmetric" => (inSize / 2.0 * (1 - (outSize / width))) + ((y + 0.5) / scale) - 0.5,
                _ => (roiStart * (inSize - 1)) + (width == 1 ? (roiEnd - roiStart) * (inSize - 1) / 2 : y * (roiEnd - roiStart) * (inSize - 1) / (width - 1)),
            };
            if (s.Coordinates == "tf_crop_and_resize" && (x < 0 || x > inSize - 1))
            {
                outside[y] = true;
                continue;
            }
            double floor = Math.Floor(x);
            double r = x - floor;
            int i0 = (int)floor;
            switch (s.Mode)
            {
                case Mode.Nearest:
                    bool up = s.Rounding switch
                    {
                        "round_prefer_floor" => r > 0.5,
                        "round_prefer_ceil" => r >= 0.5,
                        "ceil" => r > 0,
                        _ => false,
                    };
                    index[0][y] = Math.Clamp(up ? i0 + 1 : i0, 0, inSize - 1);
                    weight[0][y] = 1;
                    break;
                case Mode.Linear:
                    (index[0][y], weight[0][y]) = (Math.Clamp(i0, 0, inSize - 1), 1 - r);
                    (index[1][y], weight[1][y]) = (Math.Clamp(i0 + 1, 0, inSize - 1), r);
                    break;
                default:
                    double a = s.CubicA, total = 0;
                    for (int t = 0; t < 4; t++)
                    {
                        int at = i0 - 1 + t;
                        double w = Cubic(Math.Abs(r - (t - 1)), a);
                        if (s.ExcludeOutside && (at < 0 || at >= inSize))
                            w = 0;
                        (index[t][y], weight[t][y]) = (Math.Clamp(at, 0, inSize - 1), w);
                        total += w;
                    }
                    if (s.ExcludeOutside && total != 0)
                        for (int t = 0; t < 4; t++)
                            weight[t][y] /= total;
                    break;
            }
        }
        return new Taps(index, weight, outside);
    }

    /// <summary>The cubic convolution kernel with parameter a at distance d ≥ 0.</summary>
    private static double Cubic(double d, double a) =>
        d <= 1 ? ((((a + 2) * d) - (a + 3)) * d * d) + 1
        : d < 2 ? ((((a * d) - (5 * a)) * d) + (8 * a)) * d - (4 * a)
        : 0;

    private static OnnxValue Nearest(OnnxValue x, List<(int Axis, Taps Taps)> plans, Settings s)
    {
        var maps = Layout.IdentityMaps(x.Shape);
        foreach (var (axis, taps) in plans)
            maps[axis] = taps.Index[0].Select((c, y) => taps.Outside[y] ? -1 : c).ToArray();
        var fill = x.IsFloat ? OnnxValue.FromTensor(Tensor.Scalar(s.Extrapolation)) : OnnxValue.Scalar((long)s.Extrapolation);
        return Layout.Gather(x, maps, fill);
    }

    private static OnnxValue Interpolate(OnnxValue x, List<(int Axis, Taps Taps)> plans, Settings s, int[] shape)
    {
        if (!x.IsFloat)
            throw new BulwarkInputException($"{s.Mode.ToString().ToLowerInvariant()} resizing of {x.ElementType} data is not supported");
        var current = x.Float!;
        foreach (var (axis, taps) in plans)
        {
            var sourceShape = current.Shape.ToArray();
            var strides = Layout.Strides(sourceShape);
            var maps = Layout.IdentityMaps(sourceShape);
            var outShape = (int[])sourceShape.Clone();
            outShape[axis] = taps.Outside.Length;
            var weightShape = new int[sourceShape.Length];
            Array.Fill(weightShape, 1);
            weightShape[axis] = outShape[axis];
            Tensor? sum = null;
            for (int t = 0; t < taps.Index.Length; t++)
            {
                maps[axis] = taps.Index[t];
                var w = taps.Weight[t].Select(v => (float)v).ToArray();
                var term = current.Take(Layout.Positions(maps, strides, -1), outShape).Mul(Tensor.FromArray(w, weightShape));
                sum = sum is null ? term : sum.Add(term);
            }
            current = sum!;
        }
        if (s.Extrapolation != 0 && plans.Any(p => p.Taps.Outside.Any(o => o)))
        {
            // Outside the crop every weight is zero; add the extrapolation value there.
            var maps = Layout.IdentityMaps(shape);
            var zero = new int[shape.Length];
            foreach (var (axis, taps) in plans)
                maps[axis] = taps.Outside.Select(o => o ? -1 : 0).ToArray();
            var mask = Layout.Positions(maps, zero, 1).Select(m => m * s.Extrapolation).ToArray();
            current = current.Add(Tensor.FromArray(mask, shape));
        }
        return OpUtil.Like(current, x);
    }
}
