using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Element-wise math: unary functions (Neg, Abs, Sqrt, Exp, Log, Reciprocal, Floor, Ceil, Round,
/// Sign, Erf, Sin, Cos, Tan), Pow, Mod, the variadic Min, Max, Sum and Mean, and Clip. Floating
/// point goes through engine ops (differentiable); integers are computed exactly on int64.
/// </summary>
internal static class MathOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Neg", n => Unary(n, x => x.Neg(), v => -v));
        t.Add("Abs", n => Unary(n, x => x.Abs(), v => Math.Abs(v)));
        t.Add("Sign", n => Unary(n, x => x.Sign(), v => Math.Sign(v)));
        t.Add("Sqrt", n => Unary(n, x => x.Sqrt()));
        t.Add("Exp", n => Unary(n, x => x.Exp()));
        t.Add("Log", n => Unary(n, x => x.Log()));
        t.Add("Reciprocal", n => Unary(n, x => Tensor.Scalar(1f).Div(x)));
        t.Add("Floor", n => Unary(n, x => x.Floor()));
        t.Add("Ceil", n => Unary(n, x => x.Ceil()));
        t.Add("Round", n => Unary(n, x => x.RoundHalfEven()));
        t.Add("Erf", n => Unary(n, x => x.Erf()));
        t.Add("Sin", n => Unary(n, x => x.Sin()));
        t.Add("Cos", n => Unary(n, x => x.Cos()));
        t.Add("Tan", n => Unary(n, x => x.Tan()));
        t.Add("Asin", n => Unary(n, x => x.Asin()));
        t.Add("Acos", n => Unary(n, x => x.Acos()));
        t.Add("Atan", n => Unary(n, x => x.Atan()));
        t.Add("Sinh", n => Unary(n, x => x.Exp().Sub(x.Neg().Exp()).Mul(0.5f)));
        t.Add("Cosh", n => Unary(n, x => x.Exp().Add(x.Neg().Exp()).Mul(0.5f)));
        t.Add("Asinh", n => Unary(n, x => x.Add(x.Square().Add(1f).Sqrt()).Log()));
        t.Add("Acosh", n => Unary(n, x => x.Add(x.Square().Add(-1f).Sqrt()).Log()));
        t.Add("Atanh", n => Unary(n, x => x.Add(1f).Div(x.RSub(1f)).Log().Mul(0.5f)));
        t.Add("IsNaN", n => Test(n, float.IsNaN));
        t.Add("IsInf", n =>
        {
            bool negative = n.Int("detect_negative", 1) != 0;
            bool positive = n.Int("detect_positive", 1) != 0;
            return Test(n, v => (negative && float.IsNegativeInfinity(v)) || (positive && float.IsPositiveInfinity(v)));
        });
        t.Add("Pow", Pow);
        t.Add("Mod", Mod);
        t.Add("Sum", n => Variadic(n, (a, b) => a.Add(b), (x, y, _) => x + y, mean: false));
        t.Add("Mean", n => Variadic(n, (a, b) => a.Add(b), (x, y, _) => x + y, mean: true));
        t.Add("Max", n => Variadic(n, (a, b) => a.Maximum(b), (x, y, type) => Compare(x, y, type) >= 0 ? x : y, mean: false));
        t.Add("Min", n => Variadic(n, (a, b) => a.Minimum(b), (x, y, type) => Compare(x, y, type) <= 0 ? x : y, mean: false));
        t.Add("Clip", Clip);
    }

    /// <summary>The input as a float tensor; refuses integer input to a floating-point-only op.</summary>
    public static Tensor Floats(OnnxValue v, string op) =>
        v.Float ?? throw new BulwarkInputException($"{op} takes floating-point input, got {v.ElementType}");

    /// <summary>Orders two integers as their element type does (UINT64 unsigned).</summary>
    public static int Compare(long x, long y, DataType type) =>
        type == DataType.Uint64 ? ((ulong)x).CompareTo((ulong)y) : x.CompareTo(y);

    /// <summary>Requires two operands of one element type.</summary>
    public static void SameType(OnnxValue a, OnnxValue b)
    {
        if (a.ElementType != b.ElementType)
            throw new BulwarkInputException($"operands are {a.ElementType} and {b.ElementType}; they must match");
    }

    /// <summary>One input, one output; the opset-1 <c>consumed_inputs</c> hint ignored.</summary>
    public static void UnaryShape(OnnxNode n)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        if (n.Opset < 6)
            n.Ignore("consumed_inputs");
    }

    private static OnnxKernel Unary(OnnxNode n, Func<Tensor, Tensor> floats, Func<long, long>? integers = null)
    {
        UnaryShape(n);
        string op = n.OpType;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            if (x.IsFloat)
                return OpUtil.Like(floats(x.Float!), x);
            if (integers is null)
                throw new BulwarkInputException($"{op} takes floating-point input, got {x.ElementType}");
            return OpUtil.IntUnary(x, integers, x.ElementType);
        });
    }

    /// <summary>A float-to-BOOL element test (IsNaN, IsInf).</summary>
    private static OnnxKernel Test(OnnxNode n, Func<float, bool> test)
    {
        UnaryShape(n);
        string op = n.OpType;
        return OpUtil.One(args =>
        {
            var x = Floats(args.Arg(0), op).AsReadOnlySpan();
            var r = new long[x.Length];
            for (int i = 0; i < r.Length; i++)
                r[i] = test(x[i]) ? 1 : 0;
            return OnnxValue.FromIntegers(r, args.Arg(0).Dims(), DataType.Bool);
        });
    }

    private static OnnxKernel Pow(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        var legacy = LegacyBroadcast.Read(n);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var y = legacy.Align(x, args.Arg(1));
            if (x.IsFloat)
                return OpUtil.Like(x.Float!.Pow(y.AsTensor()), x);
            if (y.IsFloat)
            {
                var shape = OpUtil.BroadcastShape(x.Shape, y.Shape);
                var (ix, iy) = (OpUtil.BroadcastIndex(x.Shape, shape), OpUtil.BroadcastIndex(y.Shape, shape));
                var bases = x.Integers!;
                var exps = y.Float!.AsReadOnlySpan();
                var r = new long[ix.Length];
                for (int i = 0; i < r.Length; i++)
                    r[i] = (long)Math.Pow(bases[ix[i]], exps[iy[i]]);
                return OnnxValue.Narrowed(r, shape, x.ElementType);
            }
            return OpUtil.IntBinary(x, y, IntPow, x.ElementType);
        });
    }

    private static long IntPow(long b, long e)
    {
        if (e < 0)
            return b == 1 ? 1 : b == -1 ? ((e & 1) == 0 ? 1 : -1) : 0;
        long r = 1;
        while (e > 0)
        {
            if ((e & 1) != 0)
                r = unchecked(r * b);
            b = unchecked(b * b);
            e >>= 1;
        }
        return r;
    }

    private static OnnxKernel Mod(OnnxNode n)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        bool fmod = n.Int("fmod", 0) != 0;
        return OpUtil.One(args =>
        {
            var (a, b) = (args.Arg(0), args.Arg(1));
            SameType(a, b);
            if (a.IsFloat)
            {
                if (!fmod)
                    throw new BulwarkInputException($"Mod of {a.ElementType} needs fmod = 1");
                return OpUtil.Like(FloatFmod(a.Float!, b.Float!), a);
            }
            var type = a.ElementType;
            return OpUtil.IntBinary(a, b, (x, y) => IntMod(x, y, type, fmod), type);
        });
    }

    /// <summary>C fmod, exact in value; differentiable as a − trunc(a/b)·b (the quotient held constant).</summary>
    private static Tensor FloatFmod(Tensor a, Tensor b)
    {
        var q = a.Detach().Div(b.Detach()).Truncate();
        var approx = a.Sub(q.Mul(b));
        var shape = OpUtil.BroadcastShape(a.Shape, b.Shape);
        var x = a.Detach().Expand(shape).ToArray();
        var y = b.Detach().Expand(shape).ToArray();
        var exact = new float[x.Length];
        for (int i = 0; i < exact.Length; i++)
            exact[i] = x[i] % y[i];
        return approx.Add(Tensor.FromArray(exact, shape).Sub(approx.Detach()));
    }

    private static long IntMod(long x, long y, DataType type, bool fmod)
    {
        if (y == 0)
            return 0;
        if (type == DataType.Uint64)
            return (long)((ulong)x % (ulong)y);
        if (y == -1)
            return 0;
        long r = x % y;
        if (!fmod && r != 0 && (r < 0) != (y < 0))
            r += y;
        return r;
    }

    private static OnnxKernel Variadic(OnnxNode n, Func<Tensor, Tensor, Tensor> floats, Func<long, long, DataType, long> integers, bool mean)
    {
        n.Inputs(1, int.MaxValue);
        n.Outputs(1);
        if (n.Opset < 6)
            n.Ignore("consumed_inputs");
        return OpUtil.One(args =>
        {
            var first = args.Arg(0);
            for (int i = 1; i < args.Length; i++)
                SameType(first, args.Arg(i));
            if (first.IsFloat)
            {
                var acc = first.Float!;
                for (int i = 1; i < args.Length; i++)
                    acc = floats(acc, args[i]!.Float!);
                if (mean)
                    acc = acc.Mul(1f / args.Length);
                return OpUtil.Like(acc, first);
            }
            var type = first.ElementType;
            var r = first;
            for (int i = 1; i < args.Length; i++)
                r = OpUtil.IntBinary(r, args[i]!, (x, y) => integers(x, y, type), type);
            if (mean)
                r = OpUtil.IntUnary(r, v => v / args.Length, type);
            return r;
        });
    }

    private static OnnxKernel Clip(OnnxNode n)
    {
        n.Outputs(1);
        if (n.Opset < 11)
        {
            n.Inputs(1, 1);
            if (n.Opset < 6)
                n.Ignore("consumed_inputs");
            float lo = n.Float("min", float.MinValue);
            float hi = n.Float("max", float.MaxValue);
            return OpUtil.One(args =>
            {
                var x = args.Arg(0);
                return OpUtil.Like(Floats(x, "Clip").Maximum(Tensor.Scalar(lo)).Minimum(Tensor.Scalar(hi)), x);
            });
        }
        n.Inputs(1, 3);
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var (lo, hi) = (args.Opt(1), args.Opt(2));
            foreach (var bound in new[] { lo, hi })
            {
                if (bound is null)
                    continue;
                SameType(x, bound);
                if (bound.Size != 1)
                    throw new BulwarkInputException($"Clip bounds must be scalars, got shape [{string.Join(", ", bound.Dims())}]");
            }
            if (x.IsFloat)
            {
                var r = x.Float!;
                if (lo is not null)
                    r = r.Maximum(lo.Float!.Reshape());
                if (hi is not null)
                    r = r.Minimum(hi.Float!.Reshape());
                return OpUtil.Like(r, x);
            }
            var type = x.ElementType;
            var result = x;
            if (lo is not null)
                result = OpUtil.IntBinary(result, lo, (v, b) => Compare(v, b, type) < 0 ? b : v, type);
            if (hi is not null)
                result = OpUtil.IntBinary(result, hi, (v, b) => Compare(v, b, type) > 0 ? b : v, type);
            return result;
        });
    }
}
