using Bulwark.Engine;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Onnx.Import.Ops;

/// <summary>Arithmetic with NumPy broadcasting: Add, Sub, Mul, Div; and Identity.</summary>
internal static class ElementwiseOps
{
    public static void Register(OnnxOpTable t)
    {
        t.Add("Add", n => Arithmetic(n, (a, b) => a.Add(b), (x, y) => x + y));
        t.Add("Sub", n => Arithmetic(n, (a, b) => a.Sub(b), (x, y) => x - y));
        t.Add("Mul", n => Arithmetic(n, (a, b) => a.Mul(b), (x, y) => x * y));
        t.Add("Div", n => Arithmetic(n, (a, b) => a.Div(b), (x, y) => y == 0 ? 0 : x / y));
        t.Add("Identity", n =>
        {
            n.Inputs(1, 1);
            n.Outputs(1);
            return args => [args.Arg(0)];
        });
    }

    private static OnnxKernel Arithmetic(OnnxNode n, Func<Tensor, Tensor, Tensor> floats, Func<long, long, long> integers)
    {
        n.Inputs(2, 2);
        n.Outputs(1);
        n.Ignore("consumed_inputs");
        var legacy = LegacyBroadcast.Read(n);
        return OpUtil.One(args =>
        {
            var (a, b) = (args.Arg(0), legacy.Align(args.Arg(0), args.Arg(1)));
            if (a.ElementType != b.ElementType)
                throw new BulwarkInputException($"operands are {a.ElementType} and {b.ElementType}; they must match");
            return a.IsFloat
                ? OpUtil.Like(floats(a.Float!, b.Float!), a)
                : OpUtil.IntBinary(a, b, integers, a.ElementType);
        });
    }
}

/// <summary>
/// Opset &lt; 7 binary ops broadcast only when asked (<c>broadcast</c> = 1), aligning the second
/// operand at <c>axis</c> (or at the end) instead of NumPy's trailing alignment.
/// </summary>
internal readonly record struct LegacyBroadcast(bool Enabled, long? Axis, bool Strict)
{
    public static LegacyBroadcast Read(OnnxNode n)
    {
        if (n.Opset >= 7)
            return default;
        return new LegacyBroadcast(n.Int("broadcast", 0) != 0, n.IntOrNull("axis"), true);
    }

    public OnnxValue Align(OnnxValue a, OnnxValue b)
    {
        if (!Strict)
            return b;
        if (!Enabled)
        {
            if (!a.Shape.SequenceEqual(b.Shape))
                throw new BulwarkInputException($"shapes [{string.Join(", ", a.Dims())}] and [{string.Join(", ", b.Dims())}] differ and broadcast is off");
            return b;
        }
        int axis = Axis is { } ax ? OpUtil.Axis(ax, a.Rank) : a.Rank - b.Rank;
        if (axis < 0 || axis + b.Rank > a.Rank)
            throw new BulwarkInputException($"cannot align shape [{string.Join(", ", b.Dims())}] at axis {axis} of rank {a.Rank}");
        var shape = new int[a.Rank];
        Array.Fill(shape, 1);
        for (int i = 0; i < b.Rank; i++)
            shape[axis + i] = b.Shape[i];
        return b.IsFloat
            ? OnnxValue.FromTensor(b.Float!.Reshape(shape), b.ElementType)
            : OnnxValue.FromIntegers(b.Integers!, shape, b.ElementType);
    }
}
