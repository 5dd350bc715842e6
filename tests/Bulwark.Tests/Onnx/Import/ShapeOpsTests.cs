using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.ShapeOpsHarness;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class ShapeOpsTests
{
    [Fact]
    public void Reshape_copies_zero_dims_and_infers_minus_one()
    {
        var y = Run(Model("Reshape", 13, [L1(0, -1)], []), OnnxValue.FromTensor(Iota(2, 3, 4)));
        Assert.Equal(new[] { 2, 12 }, y.Shape.ToArray());
    }

    [Fact]
    public void Reshape_allowzero_keeps_a_literal_zero_from_opset_14_and_is_refused_before()
    {
        var y = Run(Model("Reshape", 14, [L1(3, 0)], [Int("allowzero", 1)]), OnnxValue.FromTensor(Tensor.Zeros(0, 3)));
        Assert.Equal(new[] { 3, 0 }, y.Shape.ToArray());
        AssertRefusedAtLoad(() => Model("Reshape", 13, [L1(3, 0)], [Int("allowzero", 1)]), "allowzero");
    }

    [Fact]
    public void Reshape_before_opset_5_reads_the_shape_attribute()
    {
        var y = Run(Model("Reshape", 4, [], [Ints("shape", 4, -1)]), OnnxValue.FromTensor(Iota(2, 4)));
        Assert.Equal(new[] { 4, 2 }, y.Shape.ToArray());
    }

    [Fact]
    public void Squeeze_and_Unsqueeze_take_axes_as_attribute_before_13_and_as_input_from_13()
    {
        var x = OnnxValue.FromTensor(Iota(1, 3, 1));
        Assert.Equal(new[] { 3, 1 }, Run(Model("Squeeze", 11, [], [Ints("axes", 0)]), x).Shape.ToArray());
        Assert.Equal(new[] { 3 }, Run(Model("Squeeze", 13, [], []), x).Shape.ToArray());
        Assert.Equal(new[] { 1, 3 }, Run(Model("Squeeze", 13, [L1(-1)], []), x).Shape.ToArray());
        Assert.Equal(new[] { 1, 1, 3, 1, 1 }, Run(Model("Unsqueeze", 11, [], [Ints("axes", 4, 1)]), x).Shape.ToArray());
        Assert.Equal(new[] { 1, 3, 1, 1 }, Run(Model("Unsqueeze", 13, [L1(-1)], []), x).Shape.ToArray());
        AssertRefusedAtLoad(() => Model("Unsqueeze", 11, [], []), "axes");
    }

    [Fact]
    public void Transpose_reverses_by_default_and_works_on_integers()
    {
        var y = Run(Model("Transpose", 13, [], [], DataType.Int64), L([1, 2, 3, 4, 5, 6], 2, 3));
        Assert.Equal(new[] { 3, 2 }, y.Shape.ToArray());
        Assert.Equal(new long[] { 1, 4, 2, 5, 3, 6 }, y.Integers);
        var z = Run(Model("Transpose", 13, [], [Ints("perm", 1, 2, 0)]), OnnxValue.FromTensor(Iota(2, 3, 4)));
        Assert.Equal(new[] { 3, 4, 2 }, z.Shape.ToArray());
        Assert.Equal(12f, Floats(z)[1]);
    }

    [Fact]
    public void Concat_joins_integers_and_floats()
    {
        var ints = Run(Model("Concat", 13, [L([7, 8], 2, 1)], [Int("axis", 1)], DataType.Int64), L([1, 2, 3, 4], 2, 2));
        Assert.Equal(new long[] { 1, 2, 7, 3, 4, 8 }, ints.Integers);
        var floats = Run(Model("Concat", 13, [F([9], 1, 1)], [Int("axis", 0)]), F([1], 1, 1));
        Assert.Equal(new float[] { 1, 9 }, Floats(floats));
    }

    [Fact]
    public void Split_reads_sizes_by_opset_and_num_outputs_from_18()
    {
        var x = OnnxValue.FromTensor(Iota(5));
        var feeds = new Dictionary<string, OnnxValue> { ["x"] = x };
        var a = Model("Split", 11, [], [Ints("split", 2, 3)], outputs: 2).Run(feeds);
        Assert.Equal(new float[] { 2, 3, 4 }, Floats(a["y1"]));
        var b = Model("Split", 13, [L1(4, 1)], [], outputs: 2).Run(feeds);
        Assert.Equal(new float[] { 4 }, Floats(b["y1"]));
        var c = Model("Split", 18, [], [Int("num_outputs", 3)], outputs: 3).Run(feeds);
        Assert.Equal(new[] { 2, 2, 1 }, new[] { c["y0"].Size, c["y1"].Size, c["y2"].Size });
        AssertRefusedAtLoad(() => Model("Split", 18, [], [Int("num_outputs", 2)], outputs: 3), "num_outputs");
        Assert.Throws<BulwarkInputException>(() => Model("Split", 13, [], [], outputs: 2).Run(feeds));
    }

    [Fact]
    public void Shape_slices_with_start_and_end_from_opset_15()
    {
        var x = OnnxValue.FromTensor(Tensor.Zeros(2, 3, 4));
        Assert.Equal(new long[] { 2, 3, 4 }, Run(Model("Shape", 13, [], []), x).Integers);
        Assert.Equal(new long[] { 3 }, Run(Model("Shape", 15, [], [Int("start", 1), Int("end", -1)]), x).Integers);
        Assert.Equal(new long[] { 2, 3, 4 }, Run(Model("Shape", 15, [], [Int("start", -10), Int("end", 10)]), x).Integers);
        Assert.Empty(Run(Model("Shape", 15, [], [Int("start", 2), Int("end", 1)]), x).Integers!);
        AssertRefusedAtLoad(() => Model("Shape", 13, [], [Int("start", 1)]), "start");
        Assert.Equal(new long[] { 24 }, Run(Model("Size", 13, [], []), x).Integers);
    }

    [Fact]
    public void Expand_broadcasts_both_ways_for_floats_and_integers()
    {
        var y = Run(Model("Expand", 13, [L1(2, 1, 4)], []), F([1, 2, 3], 3, 1));
        Assert.Equal(new[] { 2, 3, 4 }, y.Shape.ToArray());
        Assert.Equal(3f, Floats(y)[23]);
        var z = Run(Model("Expand", 13, [L1(2, 3)], [], DataType.Int64), L([5, 6, 7], 3));
        Assert.Equal(new long[] { 5, 6, 7, 5, 6, 7 }, z.Integers);
    }

    [Fact]
    public void Tile_repeats_and_its_gradient_sums_the_copies()
    {
        var model = Model("Tile", 13, [L1(2, 3)], []);
        var y = Run(model, F([1, 2], 1, 2));
        Assert.Equal(new[] { 2, 6 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2 }, Floats(y));
        CheckGradient(model, Tensor.FromArray([0.3f, -0.7f], 1, 2));
        AssertRefusedAtLoad(() => Model("Tile", 5, [L1(2)], []), "opset 6");
    }

    [Fact]
    public void DepthToSpace_modes_and_SpaceToDepth_invert_DCR()
    {
        var x = OnnxValue.FromTensor(Iota(1, 8, 2, 3));
        var dcr = Run(Model("DepthToSpace", 13, [], [Int("blocksize", 2)]), x);
        var crd = Run(Model("DepthToSpace", 13, [], [Int("blocksize", 2), Str("mode", "CRD")]), x);
        Assert.Equal(new[] { 1, 2, 4, 6 }, dcr.Shape.ToArray());
        // Output (0, 0, i, j) of pixel (0, 0) reads channel (2i + j)·2 in DCR and 2i + j in CRD (value 6 per channel).
        Assert.Equal(12f, Floats(dcr)[1]);
        Assert.Equal(24f, Floats(dcr)[6]);
        Assert.Equal(6f, Floats(crd)[1]);
        Assert.Equal(12f, Floats(crd)[6]);
        Assert.Equal(Floats(OnnxValue.FromTensor(Iota(1, 8, 2, 3))), Floats(Run(Model("SpaceToDepth", 13, [], [Int("blocksize", 2)]), dcr)));
        CheckGradient(Model("DepthToSpace", 13, [], [Int("blocksize", 2), Str("mode", "CRD")]), Tensor.FromArray(Enumerable.Range(0, 16).Select(i => MathF.Sin(i)).ToArray(), 1, 4, 2, 2));
        AssertRefusedAtLoad(() => Model("DepthToSpace", 13, [], [Int("blocksize", 2), Str("mode", "XYZ")]), "mode");
    }

    [Fact]
    public void Expand_and_Tile_to_a_trillion_elements_are_refused_before_allocating()
    {
        AssertBombRefused(() => Run(Model("Expand", 13, [L1(1_000_000, 1_000_000)], []), F([1], 1)));
        AssertBombRefused(() => Run(Model("Tile", 13, [L1(1_000_000, 1_000_000)], []), F([1], 1, 1)));
        AssertBombRefused(() => Run(Model("Expand", 13, [L1(0, 1_000_000_000_000)], []), F([1], 1)));
    }
}
