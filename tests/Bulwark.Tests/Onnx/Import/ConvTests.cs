using static Bulwark.Tests.Onnx.Import.OnnxOpCheck;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>Conv and ConvTranspose against ONNX Runtime, with input, weight and bias gradients against finite differences.</summary>
public sealed class ConvTests
{
    [Fact]
    public void Conv_with_groups_dilation_stride_and_asymmetric_pads()
    {
        var model = Node("Conv", 11, [Random("x", 1, 2, 4, 7, 6), Random("w", 2, 6, 2, 3, 2), Random("b", 3, 6)],
            Attr("group", 2L), Ints("dilations", 2, 1), Ints("strides", 1, 2), Ints("pads", 2, 0, 1, 1));
        Check(model, [Random("x", 1, 2, 4, 7, 6), Random("w", 2, 6, 2, 3, 2), Random("b", 3, 6)]);
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void Conv_auto_pad(string autoPad)
    {
        Feed[] feeds = [Random("x", 4, 1, 2, 6, 5), Random("w", 5, 3, 2, 4, 3)];
        Check(Node("Conv", 11, feeds, Attr("auto_pad", autoPad), Ints("strides", 2, 2)), feeds);
    }

    [Fact]
    public void Conv_1d_depthwise_without_bias()
    {
        Feed[] feeds = [Random("x", 6, 2, 3, 9), Random("w", 7, 3, 1, 3)];
        Check(Node("Conv", 13, feeds, Attr("group", 3L), Ints("pads", 1, 2), Ints("kernel_shape", 3)), feeds);
    }

    [Fact]
    public void Conv_3d_with_strided_dilated_padded_depth()
    {
        Feed[] feeds = [Random("x", 8, 1, 2, 5, 4, 4), Random("w", 9, 4, 1, 3, 2, 2), Random("b", 10, 4)];
        Check(Node("Conv", 11, feeds, Attr("group", 2L), Ints("strides", 2, 1, 1), Ints("dilations", 2, 1, 1), Ints("pads", 2, 1, 0, 1, 0, 1)), feeds);
    }

    [Fact]
    public void ConvTranspose_with_output_padding_and_groups()
    {
        Feed[] feeds = [Random("x", 11, 2, 4, 3, 3), Random("w", 12, 4, 3, 3, 2), Random("b", 13, 6)];
        Check(Node("ConvTranspose", 11, feeds, Attr("group", 2L), Ints("strides", 2, 3), Ints("pads", 1, 0, 0, 1), Ints("output_padding", 1, 2)), feeds);
    }

    [Fact]
    public void ConvTranspose_with_output_shape_and_dilation()
    {
        Feed[] feeds = [Random("x", 14, 1, 2, 3, 4), Random("w", 15, 2, 2, 3, 3)];
        Check(Node("ConvTranspose", 11, feeds, Ints("strides", 2, 2), Ints("dilations", 1, 2), Ints("output_shape", 8, 11)), feeds);
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    public void ConvTranspose_auto_pad(string autoPad)
    {
        Feed[] feeds = [Random("x", 16, 1, 2, 3, 3), Random("w", 17, 2, 1, 4, 3)];
        Check(Node("ConvTranspose", 11, feeds, Attr("auto_pad", autoPad), Ints("strides", 2, 2)), feeds);
    }

    [Fact]
    public void ConvTranspose_1d_and_3d()
    {
        Feed[] one = [Random("x", 18, 2, 2, 5), Random("w", 19, 2, 3, 3), Random("b", 20, 3)];
        Check(Node("ConvTranspose", 11, one, Ints("strides", 2), Ints("pads", 1, 0), Ints("output_padding", 1)), one);
        Feed[] three = [Random("x", 21, 1, 2, 3, 2, 3), Random("w", 22, 2, 2, 3, 2, 2), Random("b", 23, 2)];
        Check(Node("ConvTranspose", 11, three, Ints("strides", 2, 1, 2), Ints("pads", 1, 0, 1, 0, 1, 0), Ints("output_padding", 1, 0, 1)), three);
    }

    [Fact]
    public void Conv_refuses_bad_attributes_at_load()
    {
        Feed[] feeds = [Random("x", 1, 1, 1, 3, 3), Random("w", 2, 1, 1, 2, 2)];
        AssertRefused(Node("Conv", 11, feeds, Attr("auto_pad", "SAME")), "auto_pad");
        AssertRefused(Node("Conv", 11, feeds, Ints("kernel_shape", 1, 1, 2, 2)), "4 spatial axes");
        AssertRefused(Node("Conv", 11, feeds, Ints("pads", -1, 0, 0, 0)), "pads");
        AssertRefused(Node("Conv", 11, feeds, Attr("group", 0L)), "group");
        AssertRefused(Node("Conv", 11, feeds, Attr("unknown", 1L)), "unknown");
    }
}
