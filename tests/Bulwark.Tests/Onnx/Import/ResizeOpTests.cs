using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.ShapeOpsHarness;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class ResizeOpTests
{
    private static readonly OnnxValue NoRoi = F([], 0);

    [Fact]
    public void Linear_half_pixel_upsampling_matches_the_onnx_example()
    {
        var y = Run(Model("Resize", 13, [null, F([1, 1, 2, 2], 4)], [Str("mode", "linear")]), F([1, 2, 3, 4], 1, 1, 2, 2));
        Assert.Equal(new[] { 1, 1, 4, 4 }, y.Shape.ToArray());
        var expected = new float[] { 1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4 };
        Assert.Equal(expected, Floats(y), (a, b) => Math.Abs(a - b) < 1e-5);
    }

    [Fact]
    public void Linear_resizing_has_the_finite_difference_gradient() =>
        CheckGradient(Model("Resize", 13, [null, F([1, 1, 1.5f, 0.7f], 4)], [Str("mode", "linear")]),
            Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => MathF.Sin(i * 0.7f))], 1, 1, 3, 4));

    [Fact]
    public void Nearest_works_on_integers_and_Upsample_reads_scales_by_opset()
    {
        var x = L([1, 2, 3, 4], 1, 1, 2, 2);
        var resized = Run(Model("Resize", 13, [null, null, L1(1, 1, 3, 3)], [], DataType.Int64), x);
        Assert.Equal(new long[] { 1, 1, 2, 1, 1, 2, 3, 3, 4 }, resized.Integers);
        var up7 = Run(Model("Upsample", 7, [], [Floats("scales", 1, 1, 2, 1)], DataType.Int64), x);
        Assert.Equal(new long[] { 1, 2, 1, 2, 3, 4, 3, 4 }, up7.Integers);
        var up9 = Run(Model("Upsample", 9, [F([1, 1, 1, 2], 4)], [], DataType.Int64), x);
        Assert.Equal(new long[] { 1, 1, 2, 2, 3, 3, 4, 4 }, up9.Integers);
        AssertRefusedAtLoad(() => Model("Upsample", 10, [F([1, 1, 1, 2], 4)], []), "Resize");
    }

    [Fact]
    public void Crop_and_resize_writes_the_extrapolation_value_outside_the_input()
    {
        var attrs = new[] { Str("mode", "linear"), Str("coordinate_transformation_mode", "tf_crop_and_resize"), Float("extrapolation_value", 9) };
        var y = Run(Model("Resize", 13, [F([-0.5f, 1.5f], 2), null, L1(3)], attrs), F([0, 1, 2, 3], 4));
        Assert.Equal(new float[] { 9, 1.5f, 9 }, Floats(y));
    }

    [Fact]
    public void Cubic_weights_sum_to_one_and_axes_limit_the_resized_axes()
    {
        var y = Run(Model("Resize", 18, [null, F([1.7f], 1)], [Str("mode", "cubic"), Ints("axes", -1), Int("exclude_outside", 1)]), F([5, 5, 5, 5, 5, 5], 2, 3));
        Assert.Equal(new[] { 2, 5 }, y.Shape.ToArray());
        Assert.All(Floats(y), v => Assert.Equal(5f, v, 4));
    }

    [Fact]
    public void Sizes_keep_the_aspect_ratio_when_asked()
    {
        var y = Run(Model("Resize", 18, [null, null, L1(4, 4)], [Ints("axes", 0, 1), Str("keep_aspect_ratio_policy", "not_larger")]), OnnxValue.FromTensor(Iota(2, 4)));
        Assert.Equal(new[] { 2, 4 }, y.Shape.ToArray());
    }

    [Fact]
    public void Unsupported_settings_are_refused_at_load()
    {
        AssertRefusedAtLoad(() => Model("Resize", 18, [NoRoi, F([2], 1)], [Str("mode", "linear"), Int("antialias", 1)]), "antialias");
        AssertRefusedAtLoad(() => Model("Resize", 13, [NoRoi, F([2], 1)], [Str("coordinate_transformation_mode", "tf_half_pixel_for_nn")]), "tf_half_pixel_for_nn");
        AssertRefusedAtLoad(() => Model("Resize", 10, [F([2], 1)], [Str("mode", "cubic")]), "cubic");
        AssertRefusedAtLoad(() => Model("Resize", 11, [NoRoi, F([2], 1)], [Str("nearest_mode", "sideways")]), "sideways");
    }

    [Fact]
    public void A_resize_to_a_trillion_elements_is_refused_before_allocating() =>
        AssertBombRefused(() => Run(Model("Resize", 13, [null, F([1e6f, 1e6f], 2)], []), F([1], 1, 1)));
}
