using Bulwark.Engine;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Activations (Relu, LeakyRelu, PRelu, Elu, Selu, Celu, Sigmoid, HardSigmoid, HardSwish, Tanh,
/// Softplus, Softsign, Gelu) and the normalisers Softmax, LogSoftmax and Hardmax, all built from
/// engine ops so gradients reach the input.
/// </summary>
internal static class ActivationOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Relu", n =>
        {
            MathOps.UnaryShape(n);
            return OpUtil.One(args =>
            {
                var x = args.Arg(0);
                return x.IsFloat ? OpUtil.Like(x.Float!.Relu(), x) : OpUtil.IntUnary(x, v => Math.Max(v, 0), x.ElementType);
            });
        });
        t.Add("LeakyRelu", n =>
        {
            float alpha = n.Float("alpha", 0.01f);
            return Activation(n, x => x.LeakyRelu(alpha));
        });
        t.Add("Elu", n =>
        {
            float alpha = n.Float("alpha", 1f);
            return Activation(n, x => Elu(x, alpha));
        });
        t.Add("Selu", n =>
        {
            float alpha = n.Float("alpha", 1.67326319217681884765625f);
            float gamma = n.Float("gamma", 1.05070102214813232421875f);
            return Activation(n, x => Elu(x, alpha).Mul(gamma));
        });
        t.Add("Celu", n =>
        {
            float alpha = n.Float("alpha", 1f);
            // max(0, x) + min(0, α(exp(x/α) − 1)), which is ELU of x/α scaled by α.
            return Activation(n, x => Elu(x.Mul(1f / alpha), 1f).Mul(alpha));
        });
        t.Add("Sigmoid", n => Activation(n, x => x.Sigmoid()));
        t.Add("Tanh", n => Activation(n, x => x.Tanh()));
        t.Add("Softplus", n => Activation(n, x => x.Softplus()));
        t.Add("Softsign", n => Activation(n, x => x.Div(x.Abs().Add(1f))));
        t.Add("HardSigmoid", n =>
        {
            float alpha = n.Float("alpha", 0.2f);
            float beta = n.Float("beta", 0.5f);
            return Activation(n, x => x.Mul(alpha).Add(beta).Clamp(0f, 1f));
        });
        t.Add("HardSwish", n => Activation(n, x => x.Mul(x.Mul(1f / 6f).Add(0.5f).Clamp(0f, 1f))));
        t.Add("Gelu", n =>
        {
            string approximate = n.String("approximate", "none");
            if (approximate is not ("none" or "tanh"))
                throw n.Refuse($"approximate = '{approximate}' is not one of none, tanh");
            return Activation(n, approximate == "none" ? x => x.Gelu() : GeluTanh);
        });
        t.Add("ThresholdedRelu", n =>
        {
            float alpha = n.Float("alpha", 1f);
            return Activation(n, x => Tensor.Choose(x.GreaterThan(alpha), x, Tensor.Scalar(0f)));
        });
        t.Add("Shrink", n =>
        {
            float lambd = n.Float("lambd", 0.5f);
            float bias = n.Float("bias", 0f);
            return Activation(n, x => Tensor.Choose(x.GreaterThan(lambd), x.Add(-bias),
                Tensor.Choose(x.Neg().GreaterThan(lambd), x.Add(bias), Tensor.Scalar(0f))));
        });
        t.Add("PRelu", PRelu);
        t.Add("Softmax", n => Normaliser(n, (x, axis) => x.Softmax(axis)));
        t.Add("LogSoftmax", n => Normaliser(n, (x, axis) => x.LogSoftmax(axis)));
        t.Add("Hardmax", n => Normaliser(n, Hardmax));
    }

    private static OnnxKernel Activation(OnnxNode n, Func<Tensor, Tensor> f)
    {
        MathOps.UnaryShape(n);
        string op = n.OpType;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            return OpUtil.Like(f(MathOps.Floats(x, op)), x);
        });
    }

    /// <summary>x for x &gt; 0, else α(eˣ − 1); the exponential sees min(x, 0) so it never overflows.</summary>
    private static Tensor Elu(Tensor x, float alpha)
    {
        var negative = x.Minimum(Tensor.Scalar(0f)).Exp().Add(-1f).Mul(alpha);
        return Tensor.Choose(x.GreaterThan(0f), x, negative);
    }

    /// <summary>0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    private static Tensor GeluTanh(Tensor x)
    {
        var inner = x.Add(x.Mul(x).Mul(x).Mul(0.044715f)).Mul(MathF.Sqrt(2f / MathF.PI));
        return x.Mul(inner.Tanh().Add(1f)).Mul(0.5f);
    }

    private static OnnxKernel PRelu(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        if (n.Opset < 6)
            n.Ignore("consumed_inputs");
        // Before opset 7 a 1-D slope is per channel (axis 1), as Caffe2 defined it.
        bool legacyChannels = n.Opset < 7;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var slope = args.Arg(1);
            MathOps.SameType(x, slope);
            var xs = MathOps.Floats(x, "PRelu");
            var s = slope.Float!;
            if (s.Size == 1)
                s = s.Reshape();
            else if (legacyChannels && s.Rank == 1 && x.Rank >= 2 && s.Shape[0] == x.Shape[1])
                s = s.Reshape([s.Shape[0], .. Enumerable.Repeat(1, x.Rank - 2)]);
            // Unidirectional: the slope broadcasts to X, never the other way.
            var shape = OpUtil.BroadcastShape(x.Shape, s.Shape);
            if (!shape.AsSpan().SequenceEqual(x.Shape))
                throw new BulwarkInputException($"slope of shape [{string.Join(", ", slope.Dims())}] does not broadcast to X of shape [{string.Join(", ", x.Dims())}]");
            return OpUtil.Like(Tensor.Choose(xs.GreaterThan(0f), xs, xs.Mul(s)), x);
        });
    }

    /// <summary>
    /// Softmax-like ops: before opset 13 the input is coerced to 2-D at <c>axis</c> (default 1)
    /// and normalised over the second dimension; from 13 over the single <c>axis</c> (default −1).
    /// </summary>
    private static OnnxKernel Normaliser(OnnxNode n, Func<Tensor, int, Tensor> f)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        bool coerce = n.Opset < 13;
        long axis = n.Int("axis", coerce ? 1 : -1);
        string op = n.OpType;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var t = MathOps.Floats(x, op);
            if (!coerce)
                return OpUtil.Like(f(t, OpUtil.Axis(axis, x.Rank)), x);
            long a = axis < 0 ? axis + x.Rank : axis;
            if (a < 0 || a > x.Rank)
                throw new BulwarkInputException($"axis {axis} is out of range for rank {x.Rank}");
            int outer = (int)OpUtil.Count(x.Shape[..(int)a]);
            int inner = (int)OpUtil.Count(x.Shape[(int)a..]);
            return OpUtil.Like(f(t.Reshape(outer, inner), 1).Reshape(x.Dims()), x);
        });
    }

    /// <summary>1 at the first maximum along <paramref name="axis"/>, 0 elsewhere (no gradient).</summary>
    private static Tensor Hardmax(Tensor x, int axis)
    {
        var r = Tensor.Zeros(x.Shape.ToArray());
        if (x.Size == 0)
            return r;
        var index = x.Detach().ArgMax(axis, keepDim: true);
        var ones = Tensor.Ones(index.Shape.ToArray());
        return r.ScatterAdd(axis, index, ones);
    }
}
