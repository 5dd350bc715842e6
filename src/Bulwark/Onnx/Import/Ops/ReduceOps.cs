using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>
/// The Reduce* family, ArgMax/ArgMin and TopK. Axes come from the <c>axes</c> attribute, or from
/// the second input from opset 13 (ReduceSum) or 18 (the others), where an empty list reduces
/// everything unless <c>noop_with_empty_axes</c> is set. Float reductions are engine ops
/// (Max/Min send the gradient to the first extreme element); integer ones are exact on int64.
/// </summary>
internal static class ReduceOps
{
    private enum Kind
    {
        Sum,
        Mean,
        Max,
        Min,
        Prod,
        L1,
        L2,
        LogSum,
        LogSumExp,
        SumSquare,
    }

    public static void Register(OnnxOpTable t)
    {
        t.Add("ReduceSum", n => Reduce(n, Kind.Sum, axesInputFrom: 13));
        t.Add("ReduceMean", n => Reduce(n, Kind.Mean, axesInputFrom: 18));
        t.Add("ReduceMax", n => Reduce(n, Kind.Max, axesInputFrom: 18));
        t.Add("ReduceMin", n => Reduce(n, Kind.Min, axesInputFrom: 18));
        t.Add("ReduceProd", n => Reduce(n, Kind.Prod, axesInputFrom: 18));
        t.Add("ReduceL1", n => Reduce(n, Kind.L1, axesInputFrom: 18));
        t.Add("ReduceL2", n => Reduce(n, Kind.L2, axesInputFrom: 18));
        t.Add("ReduceLogSum", n => Reduce(n, Kind.LogSum, axesInputFrom: 18));
        t.Add("ReduceLogSumExp", n => Reduce(n, Kind.LogSumExp, axesInputFrom: 18));
        t.Add("ReduceSumSquare", n => Reduce(n, Kind.SumSquare, axesInputFrom: 18));
        t.Add("ArgMax", n => Arg(n, max: true));
        t.Add("ArgMin", n => Arg(n, max: false));
        t.Add("TopK", TopK);
    }

    private static OnnxKernel Reduce(OnnxNode n, Kind kind, int axesInputFrom)
    {
        n.Outputs(1);
        bool keep = n.Int("keepdims", 1) != 0;
        bool fromInput = n.Opset >= axesInputFrom;
        long[]? attrAxes = null;
        bool noop = false;
        if (fromInput)
        {
            n.Inputs(1, 2);
            noop = n.Int("noop_with_empty_axes", 0) != 0;
        }
        else
        {
            n.Inputs(1, 1);
            attrAxes = n.Ints("axes");
        }
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            var given = fromInput ? (args.Opt(1) is { } a ? OpUtil.Longs(a, "axes") : []) : attrAxes ?? [];
            if (given.Length == 0 && noop)
                return x;
            var axes = given.Length == 0 ? Enumerable.Range(0, x.Rank).ToArray() : NormalizeAxes(given, x.Rank);
            var kept = x.Dims();
            foreach (int ax in axes)
                kept[ax] = 1;
            var outShape = keep ? kept : x.Dims().Where((_, d) => Array.IndexOf(axes, d) < 0).ToArray();
            bool empty = axes.Any(ax => x.Shape[ax] == 0);
            return x.IsFloat
                ? OpUtil.Like(FloatReduce(x.Float!, kind, axes, kept, empty).Reshape(outShape), x)
                : OnnxValue.Narrowed(IntReduce(x, kind, axes, kept), outShape, x.ElementType);
        });
    }

    private static int[] NormalizeAxes(long[] given, int rank)
    {
        var axes = given.Select(a => OpUtil.Axis(a, rank)).Order().ToArray();
        for (int i = 1; i < axes.Length; i++)
            if (axes[i] == axes[i - 1])
                throw new BulwarkInputException($"axis {axes[i]} is listed twice in [{string.Join(", ", given)}]");
        return axes;
    }

    /// <summary>The reduction with the reduced axes kept as size 1.</summary>
    private static Tensor FloatReduce(Tensor x, Kind kind, int[] axes, int[] kept, bool empty)
    {
        if (empty && kind is Kind.Max or Kind.Min or Kind.Prod or Kind.Mean or Kind.LogSumExp)
        {
            float fill = kind switch
            {
                Kind.Max or Kind.LogSumExp => float.NegativeInfinity,
                Kind.Min => float.PositiveInfinity,
                Kind.Prod => 1f,
                _ => float.NaN,
            };
            return Tensor.Full(fill, kept);
        }
        switch (kind)
        {
            case Kind.Sum:
                return x.Sum(axes, keepDim: true);
            case Kind.Mean:
                return x.Mean(axes, keepDim: true);
            case Kind.SumSquare:
                return x.Mul(x).Sum(axes, keepDim: true);
            case Kind.L1:
                return x.Abs().Sum(axes, keepDim: true);
            case Kind.L2:
                return x.Mul(x).Sum(axes, keepDim: true).Sqrt();
            case Kind.LogSum:
                return x.Sum(axes, keepDim: true).Log();
            case Kind.LogSumExp:
            {
                // Shift by the (constant) maximum so no exponential overflows; an infinite maximum shifts by 0.
                var m = x.Detach();
                foreach (int ax in axes)
                    m = m.Max(ax, keepDim: true);
                var shift = m.ToArray();
                for (int i = 0; i < shift.Length; i++)
                    shift[i] = float.IsFinite(shift[i]) ? shift[i] : 0f;
                var s = Tensor.FromArray(shift, kept);
                return x.Sub(s).Exp().Sum(axes, keepDim: true).Log().Add(s);
            }
            case Kind.Max:
            case Kind.Min:
            {
                var r = x;
                foreach (int ax in axes)
                    r = kind == Kind.Max ? r.Max(ax, keepDim: true) : r.Min(ax, keepDim: true);
                return r;
            }
            default:
            {
                var r = x;
                foreach (int ax in axes)
                    r = ProductAlong(r, ax);
                return r;
            }
        }
    }

    /// <summary>The product along one axis (kept as size 1), pairing halves so the tape grows with log n.</summary>
    private static Tensor ProductAlong(Tensor x, int axis)
    {
        while (x.Shape[axis] > 1)
        {
            int size = x.Shape[axis];
            int half = size / 2;
            var p = x.Slice(axis, 0, half).Mul(x.Slice(axis, half, 2 * half));
            x = size % 2 == 0 ? p : Tensor.Concat([p, x.Slice(axis, 2 * half, size)], axis);
        }
        return x;
    }

    private static long[] IntReduce(OnnxValue x, Kind kind, int[] axes, int[] kept)
    {
        var type = x.ElementType;
        var groups = Group(x.Integers!, x.Dims(), kept);
        var r = new long[groups.Length];
        for (int o = 0; o < r.Length; o++)
        {
            var g = groups[o];
            r[o] = kind switch
            {
                Kind.Sum => g.Sum(),
                Kind.Mean => g.Count == 0 ? 0 : g.Sum() / g.Count,
                Kind.Max => g.Count == 0 ? TypeMin(type) : g.Aggregate((p, q) => MathOps.Compare(p, q, type) >= 0 ? p : q),
                Kind.Min => g.Count == 0 ? TypeMax(type) : g.Aggregate((p, q) => MathOps.Compare(p, q, type) <= 0 ? p : q),
                Kind.Prod => g.Aggregate(1L, (p, q) => unchecked(p * q)),
                Kind.L1 => g.Sum(Math.Abs),
                Kind.L2 => (long)Math.Sqrt(g.Sum(v => (double)v * v)),
                Kind.SumSquare => g.Sum(v => unchecked(v * v)),
                Kind.LogSum => (long)Math.Log(g.Sum()),
                _ => (long)Math.Log(g.Sum(v => Math.Exp(v))),
            };
        }
        return r;
    }

    /// <summary>The input values grouped by the output element (reduced axes kept as size 1) they reduce into.</summary>
    private static List<long>[] Group(long[] data, int[] shape, int[] kept)
    {
        int rank = shape.Length;
        var outStrides = new int[rank];
        int s = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            outStrides[d] = kept[d] == 1 && shape[d] != 1 ? 0 : s;
            s *= kept[d];
        }
        var groups = new List<long>[s];
        for (int i = 0; i < s; i++)
            groups[i] = [];
        var pos = new int[rank];
        int flat = 0;
        for (int i = 0; i < data.Length; i++)
        {
            groups[flat].Add(data[i]);
            for (int d = rank - 1; d >= 0; d--)
            {
                pos[d]++;
                flat += outStrides[d];
                if (pos[d] < shape[d])
                    break;
                flat -= outStrides[d] * pos[d];
                pos[d] = 0;
            }
        }
        return groups;
    }

    private static long TypeMin(DataType type) => type switch
    {
        DataType.Int8 => sbyte.MinValue,
        DataType.Int16 => short.MinValue,
        DataType.Int32 => int.MinValue,
        DataType.Int64 => long.MinValue,
        _ => 0,
    };

    private static long TypeMax(DataType type) => type switch
    {
        DataType.Int8 => sbyte.MaxValue,
        DataType.Int16 => short.MaxValue,
        DataType.Int32 => int.MaxValue,
        DataType.Uint8 => byte.MaxValue,
        DataType.Uint16 => ushort.MaxValue,
        DataType.Uint32 => uint.MaxValue,
        DataType.Bool => 1,
        DataType.Uint64 => -1,
        _ => long.MaxValue,
    };

    private static OnnxKernel Arg(OnnxNode n, bool max)
    {
        n.Inputs(1, 1);
        n.Outputs(1);
        long axis = n.Int("axis", 0);
        bool keep = n.Int("keepdims", 1) != 0;
        bool last = n.Opset >= 12 && n.Int("select_last_index", 0) != 0;
        return OpUtil.One(args =>
        {
            var x = args.Arg(0);
            int ax = OpUtil.Axis(axis, x.Rank);
            var shape = x.Dims();
            if (shape.Length > 0 && shape[ax] == 0)
                throw new BulwarkInputException($"arg{(max ? "max" : "min")} over an empty axis of [{string.Join(", ", shape)}]");
            int r = shape.Length == 0 ? 1 : shape[ax];
            int outer = (int)OpUtil.Count(shape.AsSpan(0, Math.Min(ax, shape.Length)));
            int inner = shape.Length == 0 ? 1 : (int)OpUtil.Count(shape.AsSpan(ax + 1));
            var type = x.ElementType;
            var floats = x.IsFloat ? x.Float!.ToArray() : null;
            var ints = x.Integers;
            // Sign of (v − best) for the search direction; NaN counts as the most extreme float.
            int Better(int i, int best)
            {
                if (floats is not null)
                {
                    float v = floats[i], b = floats[best];
                    if (float.IsNaN(v) || float.IsNaN(b))
                        return float.IsNaN(b) ? (float.IsNaN(v) ? 0 : -1) : 1;
                    return max ? v.CompareTo(b) : b.CompareTo(v);
                }
                int c = MathOps.Compare(ints![i], ints[best], type);
                return max ? c : -c;
            }
            var result = new long[outer * inner];
            for (int o = 0; o < outer; o++)
            {
                for (int i = 0; i < inner; i++)
                {
                    int start = (o * r * inner) + i;
                    int best = 0;
                    for (int k = 1; k < r; k++)
                    {
                        int c = Better(start + (k * inner), start + (best * inner));
                        if (c > 0 || (c == 0 && last))
                            best = k;
                    }
                    result[(o * inner) + i] = best;
                }
            }
            if (shape.Length > 0)
                shape[ax] = 1;
            var outShape = keep ? shape : shape.Where((_, d) => d != ax).ToArray();
            return OnnxValue.FromIntegers(result, outShape);
        });
    }

    private static OnnxKernel TopK(OnnxNode n)
    {
        n.Outputs(2);
        long axis = n.Int("axis", -1);
        long? fixedK = null;
        if (n.Opset < 10)
        {
            n.Inputs(1, 1);
            fixedK = n.IntOrNull("k") ?? throw n.Refuse("attribute 'k' is required");
        }
        else
        {
            n.Inputs(2, 2);
        }
        bool largest = n.Opset < 11 || n.Int("largest", 1) != 0;
        // sorted = 0 leaves the order unspecified; sorted output is one valid order.
        if (n.Opset >= 11)
            n.Int("sorted", 1);
        return args =>
        {
            var x = args.Arg(0);
            long k = fixedK ?? SingleK(args.Arg(1));
            int ax = OpUtil.Axis(axis, x.Rank);
            if (k < 0 || k > x.Shape[ax])
                throw new BulwarkInputException($"k = {k} is outside [0, {x.Shape[ax]}] for axis {axis}");
            if (x.IsFloat)
            {
                var (values, indices) = x.Float!.TopK((int)k, ax, largest);
                return [OpUtil.Like(values, x), OnnxValue.FromIntegers(indices.Data, indices.Shape.ToArray())];
            }
            return IntTopK(x, (int)k, ax, largest);
        };
    }

    private static long SingleK(OnnxValue k)
    {
        var v = OpUtil.Longs(k, "K");
        return v.Length == 1 ? v[0] : throw new BulwarkInputException($"K must hold one value, has {v.Length}");
    }

    private static OnnxValue[] IntTopK(OnnxValue x, int k, int ax, bool largest)
    {
        var shape = x.Dims();
        int r = shape[ax];
        int outer = (int)OpUtil.Count(shape.AsSpan(0, ax));
        int inner = (int)OpUtil.Count(shape.AsSpan(ax + 1));
        var data = x.Integers!;
        var type = x.ElementType;
        var values = new long[outer * k * inner];
        var indices = new long[values.Length];
        var order = new int[r];
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int start = (o * r * inner) + i;
                for (int j = 0; j < r; j++)
                    order[j] = j;
                Array.Sort(order, (p, q) =>
                {
                    int c = MathOps.Compare(data[start + (p * inner)], data[start + (q * inner)], type);
                    return c != 0 ? (largest ? -c : c) : p.CompareTo(q);
                });
                for (int j = 0; j < k; j++)
                {
                    int at = (o * k * inner) + (j * inner) + i;
                    indices[at] = order[j];
                    values[at] = data[start + (order[j] * inner)];
                }
            }
        }
        shape[ax] = k;
        return [OnnxValue.FromIntegers(values, shape, type), OnnxValue.FromIntegers(indices, (int[])shape.Clone())];
    }
}
