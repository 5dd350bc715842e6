using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.OpMathGraph;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class LogicOpsTests
{
    [Fact]
    public void Comparisons_broadcast_and_give_bool()
    {
        var types = new[] { DataType.Float, DataType.Float };
        OnnxValue[] xs = [F([1f, 2f, 3f, float.NaN], 2, 2), F([2f, 2f], 2)];
        var gt = Run(Load("Greater", 13, types), xs)[0];
        Assert.Equal(DataType.Bool, gt.ElementType);
        Assert.Equal([0L, 0L, 1L, 0L], gt.Integers!);
        Assert.Equal([1L, 1L, 0L, 0L], Run(Load("LessOrEqual", 16, types), xs)[0].Integers!);
        Assert.Equal([0L, 1L, 0L, 0L], Run(Load("Equal", 13, types), xs)[0].Integers!);
        var ints = Run(Load("Less", 13, [DataType.Int32, DataType.Int32]), L([-1, 5], [2], DataType.Int32), L([0], [1], DataType.Int32))[0];
        Assert.Equal([1L, 0L], ints.Integers!);
    }

    [Fact]
    public void Logical_ops_on_bool()
    {
        var types = new[] { DataType.Bool, DataType.Bool };
        var a = L([0, 0, 1, 1], [4], DataType.Bool);
        var b = L([0, 1, 0, 1], [4], DataType.Bool);
        Assert.Equal([0L, 0L, 0L, 1L], Run(Load("And", 7, types), a, b)[0].Integers!);
        Assert.Equal([0L, 1L, 1L, 1L], Run(Load("Or", 7, types), a, b)[0].Integers!);
        Assert.Equal([0L, 1L, 1L, 0L], Run(Load("Xor", 7, types), a, b)[0].Integers!);
        Assert.Equal([1L, 1L, 0L, 0L], Run(Load("Not", 1, [DataType.Bool]), a)[0].Integers!);
    }

    [Fact]
    public void Where_picks_exactly_and_passes_gradients_to_the_picked_branch()
    {
        var model = Load("Where", 16, [DataType.Bool, DataType.Float, DataType.Float]);
        var c = L([1, 0, 1], [3], DataType.Bool);
        var r = Run(model, c, F([1f, 2f, 3f], 3), F([float.PositiveInfinity]))[0];
        Assert.Equal([1f, float.PositiveInfinity, 3f], r.Float!.ToArray());
        CheckGradient(model, [c, F([1f, 2f, 3f], 3), F([0.5f, -0.5f, 4f], 3)], wrt: 1);
        CheckGradient(model, [c, F([1f, 2f, 3f], 3), F([0.5f, -0.5f, 4f], 3)], wrt: 2);
    }

    [Fact]
    public void Cast_between_float_integer_and_bool()
    {
        var x = F([-1.7f, 0f, 2.9f, 300f], 4);
        Assert.Equal([-1L, 0L, 2L, 300L], Run(Load("Cast", 13, [DataType.Float], 1, Int("to", (long)DataType.Int32)), x)[0].Integers!);
        Assert.Equal([1L, 0L, 1L, 1L], Run(Load("Cast", 13, [DataType.Float], 1, Int("to", (long)DataType.Bool)), x)[0].Integers!);
        Assert.Equal([-1L, 0L, 2L, 44L], Run(Load("Cast", 13, [DataType.Float], 1, Int("to", (long)DataType.Int8)), x)[0].Integers!);
        var h = Run(Load("Cast", 13, [DataType.Float], 1, Int("to", (long)DataType.Float16)), F([1.0001f], 1))[0];
        Assert.Equal(DataType.Float16, h.ElementType);
        Assert.Equal([1f], h.Float!.ToArray());
        var legacy = Run(Load("Cast", 1, [DataType.Int64], 1, Str("to", "FLOAT")), L([3, -4], [2]))[0];
        Assert.Equal([3f, -4f], legacy.Float!.ToArray());
        var like = Run(Load("CastLike", 15, [DataType.Float, DataType.Uint8]), F([-1f, 7.5f], 2), L([0], [1], DataType.Uint8))[0];
        Assert.Equal(DataType.Uint8, like.ElementType);
        Assert.Equal([255L, 7L], like.Integers!);
    }

    [Fact]
    public void Cast_to_string_or_float8_is_refused_at_load()
    {
        var e = Assert.Throws<BulwarkInputException>(() => Load("Cast", 13, [DataType.Float], 1, Int("to", (long)DataType.String)));
        Assert.Contains("op Cast", e.Message, StringComparison.Ordinal);
        Assert.Contains("String", e.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => Load("Cast", 19, [DataType.Float], 1, Int("to", (long)DataType.Float8E4M3Fn)));
    }
}
