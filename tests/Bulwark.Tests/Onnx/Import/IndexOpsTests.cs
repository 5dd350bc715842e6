using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.ShapeOpsHarness;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class IndexOpsTests
{
    [Fact]
    public void Slice_before_opset_10_reads_attributes_and_clamps_ends()
    {
        var y = Run(Model("Slice", 9, [], [Ints("starts", 1), Ints("ends", 1000), Ints("axes", 0)]), OnnxValue.FromTensor(Iota(10)));
        Assert.Equal(Enumerable.Range(1, 9).Select(i => (float)i), Floats(y));
        AssertRefusedAtLoad(() => Model("Slice", 9, [], [Ints("starts", 1)]), "ends");
    }

    [Fact]
    public void Slice_with_negative_steps_clamps_like_numpy()
    {
        var x = OnnxValue.FromTensor(Iota(10));
        Assert.Equal(new float[] { 9, 6, 3, 0 }, Floats(Run(Model("Slice", 13, [L1(-1), L1(-100), L1(0), L1(-3)], []), x)));
        Assert.Equal(new float[] { 9, 8 }, Floats(Run(Model("Slice", 13, [L1(100), L1(7), null, L1(-1)], []), x)));
        Assert.Empty(Floats(Run(Model("Slice", 13, [L1(2), L1(5), null, L1(-1)], []), x)));
        var ints = Run(Model("Slice", 13, [L1(0, -1), L1(2, -4), L1(0, 1), L1(1, -2)], [], DataType.Int64), L([.. Enumerable.Range(0, 12).Select(i => (long)i)], 3, 4));
        Assert.Equal(new[] { 2, 2 }, ints.Shape.ToArray());
        Assert.Equal(new long[] { 3, 1, 7, 5 }, ints.Integers);
    }

    [Fact]
    public void Slice_with_a_negative_step_has_the_finite_difference_gradient() =>
        CheckGradient(Model("Slice", 13, [L1(-1, 3), L1(0, 0), L1(0, 1), L1(-2, -1)], []), Tensor.FromArray([.. Enumerable.Range(0, 20).Select(i => MathF.Cos(i))], 5, 4));

    [Fact]
    public void Gather_takes_negative_and_multi_dimensional_indices_and_integers()
    {
        var y = Run(Model("Gather", 13, [L([-1, 0, 1, -1], 2, 2)], [Int("axis", 1)]), OnnxValue.FromTensor(Iota(2, 3)));
        Assert.Equal(new[] { 2, 2, 2 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 2, 0, 1, 2, 5, 3, 4, 5 }, Floats(y));
        var ints = Run(Model("Gather", 13, [OnnxValue.Scalar(2)], [], DataType.Int64), L1(10, 20, 30));
        Assert.Empty(ints.Shape.ToArray());
        Assert.Equal(new long[] { 30 }, ints.Integers);
        Assert.Throws<BulwarkInputException>(() => Run(Model("Gather", 13, [L1(3)], []), OnnxValue.FromTensor(Iota(3))));
    }

    [Fact]
    public void A_gather_that_multiplies_a_wide_row_is_refused_before_allocating() =>
        AssertBombRefused(() => Run(Model("Gather", 13, [L(new long[10_000], 10_000)], []), OnnxValue.FromTensor(Tensor.Zeros(1, 100_000))));

    [Fact]
    public void Gather_with_repeated_indices_has_the_finite_difference_gradient() =>
        CheckGradient(Model("Gather", 13, [L([0, 2, 2, -3], 4)], []), Tensor.FromArray([0.5f, -1.5f, 2f, 0.25f, 1f, -0.75f], 3, 2));

    [Fact]
    public void GatherElements_and_ScatterElements_follow_the_index_along_the_axis()
    {
        var g = Run(Model("GatherElements", 13, [L([0, -1, 1, 0], 2, 2)], [Int("axis", 1)]), F([1, 2, 3, 4], 2, 2));
        Assert.Equal(new float[] { 1, 2, 4, 3 }, Floats(g));
        var s = Run(Model("ScatterElements", 13, [L([1, -1], 1, 2), F([10, 20], 1, 2)], [Int("axis", 1)]), F([1, 2, 3, 4, 5], 1, 5));
        Assert.Equal(new float[] { 1, 10, 3, 4, 20 }, Floats(s));
        var add = Run(Model("ScatterElements", 16, [L([1, 1], 1, 2), L([10, 20], 1, 2)], [Int("axis", 1), Str("reduction", "add")], DataType.Int64), L([1, 2, 3], 1, 3));
        Assert.Equal(new long[] { 1, 32, 3 }, add.Integers);
        CheckGradient(Model("ScatterElements", 16, [L([2, 0, 2], 3), F([1, 2, 3], 3)], [Str("reduction", "add")]), Tensor.FromArray([0.5f, 1f, -2f, 3f], 4));
        AssertRefusedAtLoad(() => Model("ScatterElements", 18, [L([0], 1), F([1], 1)], [Str("reduction", "mul")]), "mul");
        AssertRefusedAtLoad(() => Model("Scatter", 11, [L([0], 1), F([1], 1)], []), "Scatter");
    }

    [Fact]
    public void NonZero_and_OneHot()
    {
        var nz = Run(Model("NonZero", 13, [], []), F([0, 3, 0, 4], 2, 2));
        Assert.Equal(new[] { 2, 2 }, nz.Shape.ToArray());
        Assert.Equal(new long[] { 0, 1, 1, 1 }, nz.Integers);
        var oh = Run(Model("OneHot", 11, [OnnxValue.Scalar(3), F([0, 5], 2)], [Int("axis", 0)], DataType.Int64), L1(0, -1, 7));
        Assert.Equal(new[] { 3, 3 }, oh.Shape.ToArray());
        Assert.Equal(new float[] { 5, 0, 0, 0, 0, 0, 0, 5, 0 }, Floats(oh));
    }
}
