using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Pad in its three forms (attributes 'paddings' before opset 2, 'pads' before 11, inputs from
/// 11, an axes input from 18) and modes constant, reflect, edge and wrap. Every output element
/// reads one input element, or the constant, so the op is one gather and differentiable in both.
/// Negative pads crop; they are allowed in constant mode only.
/// </summary>
internal static class PadOp
{
    public static void Register(OnnxOpTable t) => t.Add("Pad", Pad);

    private static OnnxKernel Pad(OnnxNode n)
    {
        n.Outputs(1);
        string mode = n.String("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge") && !(mode == "wrap" && n.Opset >= 19))
            throw n.Refuse($"mode '{mode}' is not supported (constant, reflect, edge; wrap from opset 19)");
        Func<OnnxValue?[], (long[] Pads, long[]? Axes, OnnxValue? Value)> read;
        if (n.Opset < 11)
        {
            n.Inputs(1, 1);
            string name = n.Opset < 2 ? "paddings" : "pads";
            var pads = n.Ints(name) ?? throw n.Refuse($"attribute '{name}' is required");
            float value = n.Float("value", 0f);
            var fill = OnnxValue.FromTensor(Tensor.Scalar(value));
            read = _ => (pads, null, fill);
        }
        else
        {
            n.Inputs(2, n.Opset >= 18 ? 4 : 3);
            read = args => (OpUtil.Longs(args.Arg(1), "pads"), args.Opt(3) is { } a ? OpUtil.Longs(a, "axes") : null, args.Opt(2));
        }
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var (pads, axesGiven, value) = read(args);
            var axes = axesGiven?.Select(a => OpUtil.Axis(a, x.Rank)).ToArray() ?? Layout.Identity(x.Rank);
            if (pads.Length != 2 * axes.Length)
                throw new BulwarkInputException($"{pads.Length} pads for {axes.Length} axes; expected {2 * axes.Length}");
            var begin = new long[x.Rank];
            var end = new long[x.Rank];
            for (int i = 0; i < axes.Length; i++)
            {
                begin[axes[i]] = pads[i];
                end[axes[i]] = pads[axes.Length + i];
            }
            var dims = new long[x.Rank];
            for (int d = 0; d < x.Rank; d++)
            {
                if (mode != "constant" && (begin[d] < 0 || end[d] < 0))
                    throw new BulwarkInputException($"negative pads are only supported in constant mode, not {mode}");
                dims[d] = Math.Max(x.Shape[d] + begin[d] + end[d], -1);
            }
            var shape = Layout.CheckedShape(n, dims, "padded output");
            var maps = new int[x.Rank][];
            for (int d = 0; d < x.Rank; d++)
                maps[d] = AxisMap(mode, x.Shape[d], (int)begin[d], shape[d]);
            var fill = value ?? (x.IsFloat ? OnnxValue.FromTensor(Tensor.Scalar(0f)) : OnnxValue.Scalar(0));
            if (fill.Size != 1)
                throw new BulwarkInputException($"constant_value must hold one element, has {fill.Size}");
            return Layout.Gather(x, maps, fill);
        });
    }

    /// <summary>For each output coordinate along one axis, the input coordinate it reads (−1: the constant).</summary>
    internal static int[] AxisMap(string mode, int dim, int begin, int size)
    {
        var map = new int[size];
        if (dim == 0 && size > 0 && mode != "constant")
            throw new BulwarkInputException($"cannot pad an empty axis in {mode} mode");
        for (int i = 0; i < size; i++)
        {
            long c = (long)i - begin;
            map[i] = mode switch
            {
                "constant" => c >= 0 && c < dim ? (int)c : -1,
                "edge" => (int)Math.Clamp(c, 0, dim - 1),
                "wrap" => (int)(((c % dim) + dim) % dim),
                _ => Reflect(c, dim),
            };
        }
        return map;
    }

    /// <summary>Mirror without repeating the edge (NumPy 'reflect'), periodic for pads beyond the axis.</summary>
    private static int Reflect(long c, int dim)
    {
        if (dim == 1)
            return 0;
        long period = 2L * (dim - 1);
        long m = ((c % period) + period) % period;
        return (int)(m < dim ? m : period - m);
    }
}
