using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.OpMathGraph;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class ReduceOpsTests
{
    private static readonly DataType[] OneFloat = [DataType.Float];

    private static OnnxValue Sample() => F([1f, -2f, 3f, 0.5f, 4f, -1.5f], 2, 3);

    [Fact]
    public void Reductions_over_attribute_axes()
    {
        var x = Sample();
        var sum = Run(Load("ReduceSum", 11, OneFloat, 1, Ints("axes", 1), Int("keepdims", 0)), x)[0];
        Assert.Equal([2], sum.Shape.ToArray());
        Assert.Equal([2f, 3f], sum.Float!.ToArray());
        Assert.Equal([3f, 4f], Run(Load("ReduceMax", 13, OneFloat, 1, Ints("axes", -1), Int("keepdims", 0)), x)[0].Float!.ToArray());
        Assert.Equal([0.5f, -2f, -1.5f], Run(Load("ReduceMin", 13, OneFloat, 1, Ints("axes", 0)), x)[0].Float!.ToArray());
        Assert.Equal([18f], Run(Load("ReduceProd", 13, OneFloat, 1, Int("keepdims", 0)), x)[0].Float!.ToArray());
        Near([6f, 6f], Run(Load("ReduceL1", 13, OneFloat, 1, Ints("axes", 1)), x)[0]);
        Near([MathF.Log(MathF.Exp(1) + MathF.Exp(-2) + MathF.Exp(3))], Run(Load("ReduceLogSumExp", 13, OneFloat, 1, Ints("axes", 1)), F([1f, -2f, 3f], 1, 3))[0]);
        Near([1000f + MathF.Log(2)], Run(Load("ReduceLogSumExp", 13, OneFloat), F([1000f, 1000f], 2))[0]);
        var ints = Run(Load("ReduceSum", 11, [DataType.Int32]), L([1, 2, 3], [3], DataType.Int32))[0];
        Assert.Equal([6L], ints.Integers!);
    }

    [Fact]
    public void Axes_as_input_from_opset_13_for_sum_and_18_for_the_rest()
    {
        var x = Sample();
        var sum = Load("ReduceSum", 13, [DataType.Float, DataType.Int64]);
        Assert.Equal([1.5f, 2f, 1.5f], Run(sum, x, L([0], [1]))[0].Float!.ToArray());
        Assert.Equal([5f], Run(sum, x, L([], [0]))[0].Float!.ToArray());
        var noop = Load("ReduceSum", 13, [DataType.Float, DataType.Int64], 1, Int("noop_with_empty_axes", 1));
        Assert.Equal(x.Float!.ToArray(), Run(noop, x, L([], [0]))[0].Float!.ToArray());
        var mean = Load("ReduceMean", 18, [DataType.Float, DataType.Int64], 1, Int("keepdims", 0));
        Assert.Equal([0.75f, 1f, 0.75f], Run(mean, x, L([0], [1]))[0].Float!.ToArray());
        var e = Assert.Throws<BulwarkInputException>(() => Load("ReduceMean", 18, OneFloat, 1, Ints("axes", 0)));
        Assert.Contains("op ReduceMean", e.Message, StringComparison.Ordinal);
        Assert.Contains("'axes'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReduceL2_gradient_matches_finite_differences()
    {
        CheckGradient(Load("ReduceL2", 13, OneFloat, 1, Ints("axes", 1)), [Sample()]);
        CheckGradient(Load("ReduceProd", 13, OneFloat, 1, Ints("axes", 1)), [Sample()]);
        CheckGradient(Load("ReduceLogSumExp", 13, OneFloat), [Sample()]);
    }

    [Fact]
    public void ArgMax_ArgMin_and_the_last_index_on_ties()
    {
        var x = F([1f, 3f, 3f, 0f, 0f, -1f], 2, 3);
        Assert.Equal([1L, 0L], Run(Load("ArgMax", 13, OneFloat, 1, Int("axis", 1), Int("keepdims", 0)), x)[0].Integers!);
        Assert.Equal([2L, 1L], Run(Load("ArgMax", 13, OneFloat, 1, Int("axis", 1), Int("keepdims", 0), Int("select_last_index", 1)), x)[0].Integers!);
        var min = Run(Load("ArgMin", 13, OneFloat, 1, Int("axis", -1)), x)[0];
        Assert.Equal([2, 1], min.Shape.ToArray());
        Assert.Equal([0L, 2L], min.Integers!);
    }

    [Fact]
    public void TopK_takes_k_as_input_from_opset_10_and_as_attribute_before()
    {
        var x = F([1f, 4f, 2f, 4f], 1, 4);
        var r = Run(Load("TopK", 11, [DataType.Float, DataType.Int64], 2, Int("largest", 0)), x, L([2], [1]));
        Assert.Equal([1f, 2f], r[0].Float!.ToArray());
        Assert.Equal([0L, 2L], r[1].Integers!);
        var old = Run(Load("TopK", 1, OneFloat, 2, Int("k", 2)), x);
        Assert.Equal([4f, 4f], old[0].Float!.ToArray());
        Assert.Equal([1L, 3L], old[1].Integers!);
        var ints = Run(Load("TopK", 11, [DataType.Int32, DataType.Int64], 2), L([5, -1, 7], [3], DataType.Int32), L([1], [1]));
        Assert.Equal([7L], ints[0].Integers!);
        Assert.Equal([2L], ints[1].Integers!);
    }
}
