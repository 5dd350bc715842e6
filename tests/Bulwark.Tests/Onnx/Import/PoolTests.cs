using Bulwark.Onnx.Proto;
using static Bulwark.Tests.Onnx.Import.OnnxOpCheck;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>The pools against ONNX Runtime, with input gradients against finite differences.</summary>
public sealed class PoolTests
{
    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 0L)]
    [InlineData(0L, 1L)]
    [InlineData(1L, 1L)]
    public void MaxPool_ceil_mode_dilations_pads_and_indices(long ceil, long storageOrder)
    {
        Feed[] feeds = [Distinct("x", 1, 2, 2, 7, 8)];
        var model = Node("MaxPool", 12, feeds, [("y", DataType.Float), ("i", DataType.Int64)],
            Ints("kernel_shape", 3, 2), Ints("strides", 2, 3), Ints("pads", 1, 0, 1, 1), Ints("dilations", 1, 2),
            Attr("ceil_mode", ceil), Attr("storage_order", storageOrder));
        Check(model, feeds);
    }

    [Fact]
    public void MaxPool_pads_wider_than_half_the_window()
    {
        Feed[] feeds = [Distinct("x", 2, 1, 2, 5, 5)];
        Check(Node("MaxPool", 12, feeds, Ints("kernel_shape", 3, 3), Ints("pads", 2, 2, 2, 0)), feeds);
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    public void MaxPool_auto_pad(string autoPad)
    {
        Feed[] feeds = [Distinct("x", 3, 1, 2, 6, 7)];
        Check(Node("MaxPool", 12, feeds, Ints("kernel_shape", 3, 2), Ints("strides", 2, 2), Attr("auto_pad", autoPad)), feeds);
    }

    [Fact]
    public void MaxPool_1d_and_3d_and_uint8()
    {
        Feed[] one = [Distinct("x", 4, 2, 3, 9)];
        Check(Node("MaxPool", 12, one, Ints("kernel_shape", 3), Ints("strides", 2), Ints("pads", 1, 1)), one);
        Feed[] three = [Distinct("x", 5, 1, 2, 5, 4, 5)];
        Check(Node("MaxPool", 12, three, [("y", DataType.Float), ("i", DataType.Int64)], Ints("kernel_shape", 3, 2, 2), Ints("strides", 2, 1, 2), Ints("pads", 1, 0, 1, 1, 1, 0)), three);
    }

    [Theory]
    [InlineData(0L, 0L)]
    [InlineData(1L, 0L)]
    [InlineData(0L, 1L)]
    [InlineData(1L, 1L)]
    public void AveragePool_count_include_pad_and_ceil_mode(long countIncludePad, long ceil)
    {
        Feed[] feeds = [Random("x", 6, 2, 2, 7, 6)];
        Check(Node("AveragePool", 11, feeds, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 0, 1, 1),
            Attr("count_include_pad", countIncludePad), Attr("ceil_mode", ceil)), feeds);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    public void AveragePool_pads_wider_than_half_the_window(long countIncludePad)
    {
        Feed[] feeds = [Random("x", 7, 1, 1, 5, 5)];
        Check(Node("AveragePool", 11, feeds, Ints("kernel_shape", 3, 3), Ints("pads", 2, 2, 2, 2), Attr("count_include_pad", countIncludePad)), feeds);
    }

    [Fact]
    public void AveragePool_3d_and_1d()
    {
        Feed[] three = [Random("x", 8, 1, 2, 5, 4, 4)];
        Check(Node("AveragePool", 11, three, Ints("kernel_shape", 2, 3, 2), Ints("strides", 2, 1, 2), Ints("pads", 1, 1, 0, 0, 1, 1)), three);
        Feed[] one = [Random("x", 9, 2, 2, 8)];
        Check(Node("AveragePool", 11, one, Ints("kernel_shape", 3), Ints("strides", 2), Ints("pads", 1, 1), Attr("count_include_pad", 1L)), one);
    }

    [Fact]
    public void Global_pools_over_two_and_three_spatial_axes()
    {
        Feed[] two = [Distinct("x", 10, 2, 3, 4, 5)];
        Check(Node("GlobalAveragePool", 11, two), two);
        Check(Node("GlobalMaxPool", 11, two), two);
        Feed[] three = [Distinct("x", 11, 1, 2, 3, 2, 2)];
        Check(Node("GlobalAveragePool", 11, three), three);
        Check(Node("GlobalMaxPool", 11, three), three);
    }

    [Fact]
    public void Pools_refuse_what_they_cannot_run_at_load()
    {
        Feed[] feeds = [Random("x", 1, 1, 1, 5, 5)];
        AssertRefused(Node("MaxPool", 12, feeds, Ints("strides", 1, 1)), "kernel_shape is required");
        AssertRefused(Node("MaxPool", 12, feeds, Ints("kernel_shape", 3, 3), Ints("pads", 2, 2, 2, 2), Attr("ceil_mode", 1L)), "ceil_mode");
        AssertRefused(Node("AveragePool", 11, feeds, Ints("kernel_shape", 1, 1, 2, 2)), "4 spatial axes");
        AssertRefused(Node("MaxPool", 12, feeds, Ints("kernel_shape", 2, 2), Attr("storage_order", 2L)), "storage_order");
    }
}
