using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// BatchNormalization (inference only: training mode is refused at load), InstanceNormalization,
/// LayerNormalization (with its optional Mean and InvStdDev outputs) and GroupNormalization,
/// written with differentiable engine ops so gradients reach the input and every parameter.
/// </summary>
internal static class NormOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("BatchNormalization", BatchNormalization);
        t.Add("InstanceNormalization", InstanceNormalization);
        t.Add("LayerNormalization", LayerNormalization);
        t.Add("GroupNormalization", GroupNormalization);
    }

    private static OnnxKernel BatchNormalization(OnnxNode n)
    {
        n.Inputs(5, 5);
        n.Outputs(5);
        float epsilon = n.Float("epsilon", 1e-5f);
        n.Ignore("momentum"); // updates running statistics, which only training does
        n.Ignore("consumed_inputs"); // opset 1's in-place hint
        if (n.Opset < 7 && n.Int("is_test", 0) == 0)
            throw n.Refuse("is_test = 0 (training mode: normalising with batch statistics) is not supported");
        if (n.Opset >= 14 && n.Int("training_mode", 0) != 0)
            throw n.Refuse("training_mode = 1 (normalising with batch statistics and updating running ones) is not supported");
        if (Enumerable.Range(1, n.OutputCount - 1).Any(i => n.Proto.Output[i].Length > 0))
            throw n.Refuse("the running or saved statistics outputs exist only in training mode, which is not supported");
        // Opsets before 9: spatial = 0 gives every activation (C × D1 × …) its own statistics.
        bool spatial = n.Opset >= 9 || n.Int("spatial", 1) != 0;
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            var x = NnArgs.FloatOf(xv, "X");
            if (x.Rank < 2)
                throw new BulwarkInputException($"X must be [N, C, …], got shape [{string.Join(", ", xv.Dims())}]");
            var paramShape = spatial ? ChannelShape(x) : [1, .. x.Shape[1..]];
            Tensor Param(int i, string what)
            {
                var p = NnArgs.FloatOf(args.Arg(i), what);
                long expected = spatial ? x.Dim(1) : OpUtil.Count(x.Shape[1..]);
                if (p.Size != expected)
                    throw new BulwarkInputException($"{what} has {p.Size} values; X [{string.Join(", ", xv.Dims())}] needs {expected}");
                return p.Reshape(paramShape);
            }
            var (scale, bias, mean, variance) = (Param(1, "scale"), Param(2, "B"), Param(3, "mean"), Param(4, "var"));
            var y = x.Sub(mean).Mul(scale.Div(variance.Add(epsilon).Sqrt())).Add(bias);
            return OpUtil.Like(y, xv);
        });
    }

    private static OnnxKernel InstanceNormalization(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        float epsilon = n.Float("epsilon", 1e-5f);
        n.Ignore("consumed_inputs");
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            var x = NnArgs.FloatOf(xv, "X");
            if (x.Rank < 3)
                throw new BulwarkInputException($"X must be [N, C, spatial…], got shape [{string.Join(", ", xv.Dims())}]");
            var (scale, bias) = (ChannelParam(args.Arg(1), x, "scale"), ChannelParam(args.Arg(2), x, "B"));
            var (normal, _, _) = Standardise(x, Enumerable.Range(2, x.Rank - 2).ToArray(), epsilon);
            return OpUtil.Like(normal.Mul(scale).Add(bias), xv);
        });
    }

    private static OnnxKernel LayerNormalization(OnnxNode n)
    {
        n.Inputs(2, 3);
        n.Outputs(3);
        long axisAttr = n.Int("axis", -1);
        float epsilon = n.Float("epsilon", 1e-5f);
        // stash_type picks the precision of the statistics; the importer computes in float32 throughout.
        n.Ignore("stash_type");
        return args =>
        {
            var xv = args.Arg(0);
            var x = NnArgs.FloatOf(xv, "X");
            int axis = OpUtil.Axis(axisAttr, x.Rank);
            var (normal, mean, invStd) = Standardise(x, Enumerable.Range(axis, x.Rank - axis).ToArray(), epsilon);
            var y = normal.Mul(NnArgs.FloatOf(args.Arg(1), "Scale"));
            if (args.Opt(2) is { } b)
                y = y.Add(NnArgs.FloatOf(b, "B"));
            if (!y.Shape.SequenceEqual(x.Shape))
                throw new BulwarkInputException($"Scale and B must broadcast to X [{string.Join(", ", xv.Dims())}]");
            return [OpUtil.Like(y, xv), OpUtil.Like(mean, xv), OpUtil.Like(invStd, xv)];
        };
    }

    private static OnnxKernel GroupNormalization(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        float epsilon = n.Float("epsilon", 1e-5f);
        long groups = n.Int("num_groups", 0);
        if (groups < 1 || groups > int.MaxValue)
            throw n.Refuse($"num_groups {groups} must be at least 1");
        n.Ignore("stash_type");
        // Opset 18 gives scale and bias per group; opset 21 per channel.
        bool perGroup = n.Opset < 21;
        return OpUtil.One(args =>
        {
            var xv = args.Arg(0);
            var x = NnArgs.FloatOf(xv, "X");
            int g = (int)groups;
            if (x.Rank < 3 || x.Dim(1) % g != 0)
                throw new BulwarkInputException($"X [{string.Join(", ", xv.Dims())}] must be [N, C, spatial…] with C divisible by {g} groups");
            int nb = x.Dim(0), c = x.Dim(1);
            var grouped = x.Reshape(nb, g, -1);
            var (normal, _, _) = Standardise(grouped, [2], epsilon);
            normal = normal.Reshape(x.Shape.ToArray());
            Tensor Param(OnnxValue v, string what)
            {
                var p = NnArgs.FloatOf(v, what);
                int expected = perGroup ? g : c;
                if (p.Size != expected)
                    throw new BulwarkInputException($"{what} has {p.Size} values, expected {expected}");
                if (perGroup)
                    p = p.Reshape(g, 1).Expand(g, c / g);
                return p.Reshape(ChannelShape(x));
            }
            return OpUtil.Like(normal.Mul(Param(args.Arg(1), "scale")).Add(Param(args.Arg(2), "bias")), xv);
        });
    }

    /// <summary>(x − mean) / √(var + ε) over <paramref name="axes"/> (biased variance), with the mean and 1/√(var + ε) kept as reduced axes of extent one.</summary>
    private static (Tensor Normal, Tensor Mean, Tensor InvStd) Standardise(Tensor x, int[] axes, float epsilon)
    {
        var mean = x.Mean(axes, keepDim: true);
        var centred = x.Sub(mean);
        var invStd = centred.Square().Mean(axes, keepDim: true).Add(epsilon).Pow(-0.5f);
        return (centred.Mul(invStd), mean, invStd);
    }

    /// <summary>[1, C, 1, …] for broadcasting a per-channel parameter over <paramref name="x"/>.</summary>
    private static int[] ChannelShape(Tensor x)
    {
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[1] = x.Dim(1);
        return shape;
    }

    private static Tensor ChannelParam(OnnxValue v, Tensor x, string what)
    {
        var p = NnArgs.FloatOf(v, what);
        if (p.Size != x.Dim(1))
            throw new BulwarkInputException($"{what} has {p.Size} values; X has {x.Dim(1)} channels");
        return p.Reshape(ChannelShape(x));
    }
}
