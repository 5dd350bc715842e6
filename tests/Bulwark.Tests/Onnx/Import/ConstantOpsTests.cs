using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.ShapeOpsHarness;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class ConstantOpsTests
{
    private static OnnxValue Constant(int opset, params Bulwark.Onnx.Proto.AttributeProto[] attributes) =>
        Model("Constant", opset, [], attributes, noX: true).Run(new Dictionary<string, OnnxValue>())["y0"];

    [Fact]
    public void Constant_reads_each_kind_of_value_attribute()
    {
        Assert.Equal(new long[] { 4, 5 }, Constant(13, TensorAttr("value", L1(4, 5))).Integers);
        Assert.Equal(new float[] { 1.5f }, Floats(Constant(13, Float("value_float", 1.5f))));
        Assert.Equal(new float[] { 1, 2 }, Floats(Constant(13, Floats("value_floats", 1, 2))));
        Assert.Equal(new long[] { 7 }, Constant(13, Int("value_int", 7)).Integers);
        Assert.Equal(new long[] { 7, 8 }, Constant(13, Ints("value_ints", 7, 8)).Integers);
        AssertRefusedAtLoad(() => Model("Constant", 13, [], [Str("value_string", "a")], noX: true), "value_string");
        AssertRefusedAtLoad(() => Model("Constant", 11, [], [Int("value_int", 1)], noX: true), "value_int");
        AssertRefusedAtLoad(() => Model("Constant", 13, [], [], noX: true), "exactly one");
    }

    [Fact]
    public void ConstantOfShape_fills_with_the_value_type()
    {
        var ints = Run(Model("ConstantOfShape", 13, [], [TensorAttr("value", L([3], 1))], DataType.Int64), L1(2, 2));
        Assert.Equal(new long[] { 3, 3, 3, 3 }, ints.Integers);
        var zeros = Run(Model("ConstantOfShape", 13, [], [], DataType.Int64), L1(0, 5));
        Assert.True(zeros.IsFloat);
        Assert.Equal(new[] { 0, 5 }, zeros.Shape.ToArray());
    }

    [Fact]
    public void Range_counts_up_and_down_for_integers_and_floats()
    {
        var ints = Model("Range", 13, [OnnxValue.Scalar(10), OnnxValue.Scalar(4), OnnxValue.Scalar(-3)], [], DataType.Int64, noX: true).Run(new Dictionary<string, OnnxValue>())["y0"];
        Assert.Equal(new long[] { 10, 7 }, ints.Integers);
        var floats = Model("Range", 13, [F([1], []), F([2], []), F([0.25f], [])], [], noX: true).Run(new Dictionary<string, OnnxValue>())["y0"];
        Assert.Equal(new float[] { 1, 1.25f, 1.5f, 1.75f }, Floats(floats));
    }

    [Fact]
    public void ConstantOfShape_and_Range_to_a_trillion_elements_are_refused_before_allocating()
    {
        AssertBombRefused(() => Run(Model("ConstantOfShape", 13, [], [], DataType.Int64), L1(1_000_000, 1_000_000)));
        AssertBombRefused(() => Model("Range", 13, [OnnxValue.Scalar(0), OnnxValue.Scalar(1_000_000_000_000), OnnxValue.Scalar(1)], [], DataType.Int64, noX: true).Run(new Dictionary<string, OnnxValue>()));
        AssertBombRefused(() => Model("Range", 13, [F([0], []), F([1e12f], []), F([1], [])], [], noX: true).Run(new Dictionary<string, OnnxValue>()));
    }
}
