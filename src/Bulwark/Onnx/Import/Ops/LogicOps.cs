using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual) giving BOOL, the logical ops
/// (Not, And, Or, Xor) on BOOL, and Where, which is differentiable in its two branches.
/// </summary>
internal static class LogicOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Equal", n => Comparison(n, c => c == 0));
        t.Add("Greater", n => Comparison(n, c => c > 0));
        t.Add("Less", n => Comparison(n, c => c < 0));
        t.Add("GreaterOrEqual", n => Comparison(n, c => c >= 0));
        t.Add("LessOrEqual", n => Comparison(n, c => c <= 0));
        t.Add("And", n => Logical(n, (x, y) => x & y));
        t.Add("Or", n => Logical(n, (x, y) => x | y));
        t.Add("Xor", n => Logical(n, (x, y) => x ^ y));
        t.Add("Not", n =>
        {
            n.Inputs(1, 1);
            n.Outputs(1);
            return OpUtil.One(args => OpUtil.IntUnary(Bool(args.Arg(0)), v => v == 0 ? 1 : 0, DataType.Bool));
        });
        t.Add("Where", Where);
    }

    private static OnnxValue Bool(OnnxValue v) =>
        v.ElementType == DataType.Bool ? v : throw new BulwarkInputException($"expects BOOL input, got {v.ElementType}");

    /// <summary>A comparison: <paramref name="holds"/> maps the three-way order of a and b to the result.</summary>
    private static OnnxKernel Comparison(OnnxNode n, Func<int, bool> holds)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        var legacy = LegacyBroadcast.Read(n);
        return OpUtil.One(args =>
        {
            var a = args.Arg(0);
            var b = legacy.Align(a, args.Arg(1));
            MathOps.SameType(a, b);
            if (!a.IsFloat)
            {
                var type = a.ElementType;
                return OpUtil.IntBinary(a, b, (x, y) => holds(MathOps.Compare(x, y, type)) ? 1 : 0, DataType.Bool);
            }
            var shape = OpUtil.BroadcastShape(a.Shape, b.Shape);
            var (ia, ib) = (OpUtil.BroadcastIndex(a.Shape, shape), OpUtil.BroadcastIndex(b.Shape, shape));
            var x = a.Float!.AsReadOnlySpan();
            var y = b.Float!.AsReadOnlySpan();
            var r = new long[ia.Length];
            for (int i = 0; i < r.Length; i++)
            {
                float p = x[ia[i]], q = y[ib[i]];
                // Every comparison with NaN is false.
                r[i] = !float.IsNaN(p) && !float.IsNaN(q) && holds(p.CompareTo(q)) ? 1 : 0;
            }
            return OnnxValue.FromIntegers(r, shape, DataType.Bool);
        });
    }

    private static OnnxKernel Logical(OnnxNode n, Func<long, long, long> f)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        var legacy = LegacyBroadcast.Read(n);
        return OpUtil.One(args =>
        {
            var a = Bool(args.Arg(0));
            var b = Bool(legacy.Align(a, args.Arg(1)));
            return OpUtil.IntBinary(a, b, f, DataType.Bool);
        });
    }

    private static OnnxKernel Where(OnnxNode n)
    {
        n.Inputs(3, 3);
        n.Outputs(1);
        return OpUtil.One(args =>
        {
            var c = Bool(args.Arg(0));
            var (x, y) = (args.Arg(1), args.Arg(2));
            MathOps.SameType(x, y);
            if (x.IsFloat)
                return OpUtil.Like(Tensor.Choose(c.AsTensor(), x.Float!, y.Float!), x);
            var shape = OpUtil.BroadcastShape(OpUtil.BroadcastShape(c.Shape, x.Shape), y.Shape);
            var ic = OpUtil.BroadcastIndex(c.Shape, shape);
            var ix = OpUtil.BroadcastIndex(x.Shape, shape);
            var iy = OpUtil.BroadcastIndex(y.Shape, shape);
            var (cv, xv, yv) = (c.Integers!, x.Integers!, y.Integers!);
            var r = new long[ic.Length];
            for (int i = 0; i < r.Length; i++)
                r[i] = cv[ic[i]] != 0 ? xv[ix[i]] : yv[iy[i]];
            return OnnxValue.FromIntegers(r, shape, x.ElementType);
        });
    }
}
