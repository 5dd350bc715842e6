using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.OpMathGraph;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class MathOpsTests
{
    private static readonly DataType[] OneFloat = [DataType.Float];
    private static readonly DataType[] TwoFloats = [DataType.Float, DataType.Float];

    [Fact]
    public void Unary_functions_compute_elementwise()
    {
        var x = F([-1.5f, 0.5f, 2.5f], 3);
        Assert.Equal([-2f, 0f, 2f], Run(Load("Round", 11, OneFloat), x)[0].Float!.ToArray());
        Assert.Equal([-2f, 0f, 2f], Run(Load("Floor", 13, OneFloat), x)[0].Float!.ToArray());
        Assert.Equal([1.5f, -0.5f, -2.5f], Run(Load("Neg", 13, OneFloat), x)[0].Float!.ToArray());
        Near([-1f / 1.5f, 2f, 0.4f], Run(Load("Reciprocal", 13, OneFloat), x)[0]);
        Near([MathF.Sin(-1.5f), MathF.Sin(0.5f), MathF.Sin(2.5f)], Run(Load("Sin", 7, OneFloat), x)[0]);
        Assert.Equal([3L, 0L, -4L], Run(Load("Abs", 13, [DataType.Int64]), L([-3, 0, 4], [3]))[0].Integers!.Select((v, i) => i == 2 ? -v : v));
    }

    [Fact]
    public void Pow_handles_negative_bases_and_integer_mixes()
    {
        var r = Run(Load("Pow", 15, [DataType.Float, DataType.Int64]), F([-2f, 3f], 2), L([3, 2], [2]))[0];
        Assert.Equal([-8f, 9f], r.Float!.ToArray());
        var ints = Run(Load("Pow", 15, [DataType.Int32, DataType.Float]), L([2, 3], [2], DataType.Int32), F([3f, 2f], 2))[0];
        Assert.Equal(DataType.Int32, ints.ElementType);
        Assert.Equal([8L, 9L], ints.Integers!);
    }

    [Fact]
    public void Pow_gradient_matches_finite_differences_for_base_and_exponent()
    {
        var model = Load("Pow", 13, TwoFloats);
        OnnxValue[] inputs = [F([0.5f, 1.2f, 2f, 1.7f], 2, 2), F([1.5f, -0.7f], 2)];
        CheckGradient(model, inputs, wrt: 0);
        CheckGradient(model, inputs, wrt: 1);
    }

    [Fact]
    public void Variadic_ops_broadcast_all_inputs()
    {
        var types = new[] { DataType.Float, DataType.Float, DataType.Float };
        OnnxValue[] xs = [F([1f, 5f], 2), F([3f], 1), F([4f, 2f, 0f, 9f], 2, 2)];
        Assert.Equal([4f, 5f, 3f, 9f], Run(Load("Max", 13, types), xs)[0].Float!.ToArray());
        Assert.Equal([1f, 2f, 0f, 3f], Run(Load("Min", 13, types), xs)[0].Float!.ToArray());
        Assert.Equal([8f, 10f, 4f, 17f], Run(Load("Sum", 13, types), xs)[0].Float!.ToArray());
        Near([8f / 3, 10f / 3, 4f / 3, 17f / 3], Run(Load("Mean", 13, types), xs)[0]);
        var u = Run(Load("Max", 13, [DataType.Uint64, DataType.Uint64]), L([-1, 2], [2], DataType.Uint64), L([5, 1], [2], DataType.Uint64))[0];
        Assert.Equal([-1L, 2L], u.Integers!);
    }

    [Fact]
    public void Mod_follows_the_divisor_sign_unless_fmod()
    {
        var ints = new[] { DataType.Int64, DataType.Int64 };
        var a = L([-7, 7, -7], [3]);
        var b = L([3, -3, -3], [3]);
        Assert.Equal([2L, -2L, -1L], Run(Load("Mod", 13, ints), a, b)[0].Integers!);
        Assert.Equal([-1L, 1L, -1L], Run(Load("Mod", 13, ints, 1, Int("fmod", 1)), a, b)[0].Integers!);
        Near([-1.5f, 1.5f], Run(Load("Mod", 13, TwoFloats, 1, Int("fmod", 1)), F([-7.5f, 7.5f], 2), F([2f, -3f], 2))[0]);
    }

    [Fact]
    public void Clip_reads_attributes_before_opset_11_and_inputs_after()
    {
        var x = F([-2f, 0.5f, 3f], 3);
        Assert.Equal([-1f, 0.5f, 1f], Run(Load("Clip", 6, OneFloat, 1, Float("min", -1f), Float("max", 1f)), x)[0].Float!.ToArray());
        var model = Load("Clip", 13, [DataType.Float, DataType.Float, DataType.Float]);
        Assert.Equal([0f, 0.5f, 2f], Run(model, x, F([0f]), F([2f]))[0].Float!.ToArray());
        var ints = Load("Clip", 13, [DataType.Int8, DataType.Int8]);
        Assert.Equal([-1L, 0L, 3L], Run(ints, L([-5, 0, 3], [3], DataType.Int8), L([-1], [], DataType.Int8))[0].Integers!);
    }

    [Fact]
    public void Clip_gradient_is_one_inside_the_bounds_and_zero_outside()
    {
        var model = Load("Clip", 13, [DataType.Float, DataType.Float, DataType.Float]);
        CheckGradient(model, [F([-2f, -0.3f, 0.4f, 3f], 4), F([-1f]), F([1f])]);
    }

    [Fact]
    public void Refuses_an_unknown_attribute_naming_the_node_and_op()
    {
        var e = Assert.Throws<BulwarkInputException>(() => Load("Sqrt", 13, OneFloat, 1, Int("bogus", 1)));
        Assert.Contains("'n'", e.Message, StringComparison.Ordinal);
        Assert.Contains("op Sqrt", e.Message, StringComparison.Ordinal);
        Assert.Contains("attribute 'bogus' is not supported", e.Message, StringComparison.Ordinal);
    }
}
