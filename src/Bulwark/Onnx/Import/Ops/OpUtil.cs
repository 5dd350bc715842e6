using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Small pieces every op family uses: argument access, axes, broadcasting of integer data.</summary>
internal static class OpUtil
{
    /// <summary>A kernel with one output.</summary>
    public static OnnxKernel One(Func<OnnxValue?[], OnnxValue> f) => args => [f(args)];

    /// <summary>Input <paramref name="i"/>, which must be present.</summary>
    public static OnnxValue Arg(this OnnxValue?[] args, int i) =>
        i < args.Length && args[i] is { } v ? v : throw new BulwarkInputException($"required input {i} is missing");

    /// <summary>Optional input <paramref name="i"/>, or null.</summary>
    public static OnnxValue? Opt(this OnnxValue?[] args, int i) => i < args.Length ? args[i] : null;

    /// <summary>The shape as an int array.</summary>
    public static int[] Dims(this OnnxValue v) => v.Shape.ToArray();

    /// <summary>A negative axis counted from the end; refuses one out of range.</summary>
    public static int Axis(long axis, int rank, string what = "axis")
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.Max(rank, 1))
            throw new BulwarkInputException($"{what} {axis} is out of range for rank {rank}");
        return (int)a;
    }

    /// <summary>The NumPy broadcast of two shapes.</summary>
    public static int[] BroadcastShape(ReadOnlySpan<int> a, ReadOnlySpan<int> b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var r = new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i - (rank - a.Length) >= 0 ? a[i - (rank - a.Length)] : 1;
            int db = i - (rank - b.Length) >= 0 ? b[i - (rank - b.Length)] : 1;
            if (da != db && da != 1 && db != 1)
                throw new BulwarkInputException($"shapes [{string.Join(", ", a.ToArray())}] and [{string.Join(", ", b.ToArray())}] do not broadcast");
            r[i] = da == 1 ? db : da;
        }
        return r;
    }

    /// <summary>Element count of a shape.</summary>
    public static long Count(ReadOnlySpan<int> shape)
    {
        long n = 1;
        foreach (int d in shape)
            n *= d;
        return n;
    }

    /// <summary>For each element of the broadcast <paramref name="outShape"/>, the flat index into a source of shape <paramref name="src"/>.</summary>
    public static int[] BroadcastIndex(ReadOnlySpan<int> src, int[] outShape)
    {
        int rank = outShape.Length;
        int total = (int)Count(outShape);
        var strides = new int[rank];
        int s = 1;
        for (int i = rank - 1; i >= 0; i--)
        {
            int j = i - (rank - src.Length);
            int d = j >= 0 ? src[j] : 1;
            strides[i] = d == 1 ? 0 : s;
            s *= d;
        }
        var index = new int[total];
        var pos = new int[rank];
        int flat = 0;
        for (int n = 0; n < total; n++)
        {
            index[n] = flat;
            for (int i = rank - 1; i >= 0; i--)
            {
                pos[i]++;
                flat += strides[i];
                if (pos[i] < outShape[i])
                    break;
                flat -= strides[i] * pos[i];
                pos[i] = 0;
            }
        }
        return index;
    }

    /// <summary>An elementwise binary op on integer data with broadcasting.</summary>
    public static OnnxValue IntBinary(OnnxValue a, OnnxValue b, Func<long, long, long> f, DataType resultType)
    {
        var shape = BroadcastShape(a.Shape, b.Shape);
        var ia = BroadcastIndex(a.Shape, shape);
        var ib = BroadcastIndex(b.Shape, shape);
        var x = a.AsIntegers();
        var y = b.AsIntegers();
        var r = new long[ia.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = f(x[ia[i]], y[ib[i]]);
        return OnnxValue.Narrowed(r, shape, resultType);
    }

    /// <summary>An elementwise unary op on integer data.</summary>
    public static OnnxValue IntUnary(OnnxValue a, Func<long, long> f, DataType resultType)
    {
        var x = a.AsIntegers();
        var r = new long[x.Length];
        for (int i = 0; i < r.Length; i++)
            r[i] = f(x[i]);
        return OnnxValue.Narrowed(r, a.Dims(), resultType);
    }

    /// <summary>A float result wrapped with the element type of <paramref name="like"/>.</summary>
    public static OnnxValue Like(Tensor t, OnnxValue like) =>
        OnnxValue.FromTensor(t, like.IsFloat ? like.ElementType : DataType.Float);

    /// <summary>The values of a 1-D (or scalar) integer input, e.g. a shape or axes list.</summary>
    public static long[] Longs(OnnxValue v, string what)
    {
        if (v.Rank > 1)
            throw new BulwarkInputException($"{what} must be 1-D, got shape [{string.Join(", ", v.Dims())}]");
        return v.AsIntegers();
    }
}
