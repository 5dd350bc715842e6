using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.ShapeOpsHarness;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class PadOpTests
{
    private static float[] Pad1D(string mode, int opset = 19) =>
        Floats(Run(Model("Pad", opset, [L1(4, 3)], [Str("mode", mode)]), F([1, 2, 3], 3)));

    [Fact]
    public void Modes_follow_numpy_including_pads_wider_than_the_axis()
    {
        Assert.Equal(new float[] { 0, 0, 0, 0, 1, 2, 3, 0, 0, 0 }, Pad1D("constant"));
        Assert.Equal(new float[] { 1, 1, 1, 1, 1, 2, 3, 3, 3, 3 }, Pad1D("edge"));
        Assert.Equal(new float[] { 1, 2, 3, 2, 1, 2, 3, 2, 1, 2 }, Pad1D("reflect"));
        Assert.Equal(new float[] { 3, 1, 2, 3, 1, 2, 3, 1, 2, 3 }, Pad1D("wrap"));
        AssertRefusedAtLoad(() => Model("Pad", 18, [L1(1, 1)], [Str("mode", "wrap")]), "wrap");
    }

    [Fact]
    public void Constant_value_input_axes_input_and_negative_pads()
    {
        var x = OnnxValue.FromTensor(Iota(2, 3));
        var y = Run(Model("Pad", 18, [L1(1, -1), F([7], []), L1(-1)], []), x);
        Assert.Equal(new[] { 2, 3 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 7, 0, 1, 7, 3, 4 }, Floats(y));
        var ints = Run(Model("Pad", 13, [L1(0, 1, 0, 0), L([9], [])], [], DataType.Int64), L([1, 2], 1, 2));
        Assert.Equal(new long[] { 9, 1, 2 }, ints.Integers);
        Assert.Throws<BulwarkInputException>(() => Run(Model("Pad", 13, [L1(-1, 0)], [Str("mode", "edge")]), OnnxValue.FromTensor(Iota(3))));
    }

    [Fact]
    public void Before_opset_11_pads_and_value_are_attributes()
    {
        var y = Run(Model("Pad", 2, [], [Ints("pads", 1, 0), Float("value", 2.5f)]), F([1], 1));
        Assert.Equal(new float[] { 2.5f, 1 }, Floats(y));
        var old = Run(Model("Pad", 1, [], [Ints("paddings", 0, 1), Str("mode", "edge")]), F([4], 1));
        Assert.Equal(new float[] { 4, 4 }, Floats(old));
        AssertRefusedAtLoad(() => Model("Pad", 2, [], [Ints("paddings", 0, 1)]), "pads");
    }

    [Theory]
    [InlineData("reflect")]
    [InlineData("edge")]
    [InlineData("constant")]
    public void Gradients_match_finite_differences(string mode) =>
        CheckGradient(Model("Pad", 13, [L1(1, 2, 2, 1)], [Str("mode", mode)]), Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => MathF.Sin(i + 1))], 3, 4));

    [Fact]
    public void A_pad_to_a_trillion_elements_is_refused_before_allocating() =>
        AssertBombRefused(() => Run(Model("Pad", 13, [L1(0, 0, 1_000_000, 1_000_000)], []), F([1], 1, 1)));
}
