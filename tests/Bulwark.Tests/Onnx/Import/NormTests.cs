using static Bulwark.Tests.Onnx.Import.OnnxOpCheck;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>The normalisations and LRN against ONNX Runtime, with input and parameter gradients against finite differences.</summary>
public sealed class NormTests
{
    private static Feed Positive(string name, int seed, params int[] shape)
    {
        var f = Random(name, seed, shape);
        return f with { Floats = f.Floats!.Select(v => 0.5f + Math.Abs(v)).ToArray() };
    }

    [Theory]
    [InlineData(9)]
    [InlineData(15)]
    public void BatchNormalization_inference(int opset)
    {
        Feed[] feeds = [Random("x", 1, 2, 3, 4, 3), Random("scale", 2, 3), Random("b", 3, 3), Random("mean", 4, 3), Positive("var", 5, 3)];
        Check(Node("BatchNormalization", opset, feeds, Attr("epsilon", 1e-3f), Attr("momentum", 0.8f)), feeds);
    }

    [Fact]
    public void BatchNormalization_on_a_matrix()
    {
        Feed[] feeds = [Random("x", 6, 4, 3), Random("scale", 7, 3), Random("b", 8, 3), Random("mean", 9, 3), Positive("var", 10, 3)];
        Check(Node("BatchNormalization", 14, feeds), feeds);
    }

    [Fact]
    public void BatchNormalization_refuses_training_mode_at_load()
    {
        Feed[] feeds = [Random("x", 1, 2, 3, 4), Random("scale", 2, 3), Random("b", 3, 3), Random("mean", 4, 3), Positive("var", 5, 3)];
        AssertRefused(Node("BatchNormalization", 15, feeds, Attr("training_mode", 1L)), "training_mode");
        AssertRefused(Node("BatchNormalization", 9, feeds, [("y", DataType.Float), ("m", DataType.Float)]), "training mode");
        AssertRefused(Node("BatchNormalization", 6, feeds), "is_test");
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(1L)]
    public void LayerNormalization_with_mean_and_inverse_std_outputs(long axis)
    {
        Feed[] feeds = [Random("x", 11, 2, 3, 4), Random("scale", 12, 4), Random("b", 13, 4)];
        var model = Node("LayerNormalization", 17, feeds, [("y", DataType.Float), ("mean", DataType.Float), ("inv", DataType.Float)], Attr("epsilon", 1e-4f), Attr("axis", axis));
        if (axis == 1)
        {
            feeds = [feeds[0], Random("scale", 12, 3, 4), Random("b", 13, 4)];
            model = Node("LayerNormalization", 17, feeds, [("y", DataType.Float), ("mean", DataType.Float), ("inv", DataType.Float)], Attr("epsilon", 1e-4f), Attr("axis", axis));
        }
        Check(model, feeds);
    }

    [Fact]
    public void LayerNormalization_without_bias()
    {
        Feed[] feeds = [Random("x", 14, 3, 5), Random("scale", 15, 5)];
        Check(Node("LayerNormalization", 17, feeds), feeds);
    }

    [Fact]
    public void InstanceNormalization()
    {
        Feed[] feeds = [Random("x", 16, 2, 3, 4, 3), Random("scale", 17, 3), Random("b", 18, 3)];
        Check(Node("InstanceNormalization", 6, feeds, Attr("epsilon", 1e-3f)), feeds);
    }

    [Fact]
    public void GroupNormalization_per_channel_parameters()
    {
        Feed[] feeds = [Random("x", 19, 2, 4, 3, 2), Random("scale", 20, 4), Random("b", 21, 4)];
        Check(Node("GroupNormalization", 21, feeds, Attr("num_groups", 2L), Attr("epsilon", 1e-3f)), feeds);
    }

    [Theory]
    [InlineData(3L)]
    [InlineData(5L)]
    public void Lrn(long size)
    {
        Feed[] feeds = [Random("x", 22, 2, 5, 3, 2)];
        Check(Node("LRN", 13, feeds, Attr("size", size), Attr("alpha", 0.2f), Attr("beta", 0.6f), Attr("bias", 1.5f)), feeds);
        Check(Node("LRN", 13, feeds, Attr("size", size)), feeds);
    }

    [Fact]
    public void Lrn_of_even_size_sums_one_channel_more_after_than_before()
    {
        // ONNX Runtime takes odd sizes only; ONNX defines even ones: channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉.
        var x = Random("x", 23, 1, 4, 1, 1);
        var y = Importer(Node("LRN", 13, [x], Attr("size", 2L), Attr("alpha", 0.5f), Attr("beta", 0.75f), Attr("bias", 2f)), [x])["y"].AsTensor().ToArray();
        var v = x.Floats!;
        for (int c = 0; c < 4; c++)
        {
            double sum = (v[c] * v[c]) + (c + 1 < 4 ? v[c + 1] * v[c + 1] : 0);
            double expected = v[c] / Math.Pow(2 + (0.5 / 2 * sum), 0.75);
            Assert.Equal(expected, y[c], 1e-6);
        }
    }
}
