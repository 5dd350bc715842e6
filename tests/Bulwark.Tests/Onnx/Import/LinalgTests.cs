using Bulwark.Engine;
using static Bulwark.Tests.Onnx.Import.OnnxOpCheck;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

/// <summary>Gemm, MatMul and Dropout against ONNX Runtime, with input gradients against finite differences.</summary>
public sealed class LinalgTests
{
    [Theory]
    [InlineData(0L, 0L, new[] { 3, 4 })]
    [InlineData(1L, 0L, new[] { 4 })]
    [InlineData(0L, 1L, new[] { 3, 1 })]
    [InlineData(1L, 1L, new[] { 1 })]
    public void Gemm_transposes_alpha_beta_and_broadcast_bias(long transA, long transB, int[] cShape)
    {
        Feed[] feeds = [Random("a", 1, transA == 1 ? [5, 3] : [3, 5]), Random("b", 2, transB == 1 ? [4, 5] : [5, 4]), Random("c", 3, cShape)];
        Check(Node("Gemm", 13, feeds, Attr("transA", transA), Attr("transB", transB), Attr("alpha", 0.7f), Attr("beta", -1.3f)), feeds);
    }

    [Fact]
    public void Gemm_without_c()
    {
        Feed[] feeds = [Random("a", 4, 2, 3), Random("b", 5, 3, 4)];
        Check(Node("Gemm", 11, feeds), feeds);
    }

    [Fact]
    public void Gemm_opset_6_broadcast_matches_the_opset_7_semantics()
    {
        // ONNX Runtime has no Gemm before opset 7; with broadcast = 1 opset 6 means the same as 7.
        Feed[] feeds = [Random("a", 6, 2, 3), Random("b", 7, 3, 4), Random("c", 8, 4)];
        using var ort = Ort(Node("Gemm", 7, feeds, Attr("alpha", 2f)));
        var legacy = Node("Gemm", 6, feeds, Attr("broadcast", 1L), Attr("alpha", 2f));
        AssertClose(Importer(legacy, feeds)["y"], ort.Run(feeds)["y"], 1e-5, 1e-4, "y");
        var strict = Node("Gemm", 6, feeds, Attr("alpha", 2f));
        Assert.Throws<BulwarkInputException>(() => Importer(strict, feeds));
    }

    [Fact]
    public void MatMul_vectors_batches_and_broadcasting()
    {
        Feed[] batched = [Random("a", 9, 2, 1, 3, 4), Random("b", 10, 3, 4, 2)];
        Check(Node("MatMul", 13, batched), batched);
        Feed[] vectors = [Random("a", 11, 4), Random("b", 12, 2, 4, 3)];
        Check(Node("MatMul", 13, vectors), vectors);
        Feed[] right = [Random("a", 13, 2, 3, 4), Random("b", 14, 4)];
        Check(Node("MatMul", 13, right), right);
    }

    [Fact]
    public void MatMul_of_integers_is_exact()
    {
        Feed[] feeds = [new("a", [2, 2, 3], Longs: [1, -2, 3, 4, 5, -6, 7, 8, 9, 10, 11, 12]), new("b", [3, 2], Longs: [1L << 40, 2, 3, 4, 5, -6])];
        var model = Node("MatMul", 13, feeds, [("y", DataType.Int64)]);
        Check(model, feeds, gradients: false);
    }

    [Fact]
    public void Dropout_at_inference_is_the_identity_with_a_full_mask()
    {
        Feed[] feeds = [Random("x", 15, 2, 3)];
        Check(Node("Dropout", 13, feeds, [("y", DataType.Float), ("mask", DataType.Bool)]), feeds);
        // Before opset 12 the mask of test mode is left unspecified (ONNX Runtime writes zeros);
        // the importer gives the ONNX reference's all-ones mask, of the input's type before opset 10.
        foreach (var (opset, type) in new[] { (7, DataType.Float), (10, DataType.Bool) })
        {
            var outputs = Importer(Node("Dropout", opset, feeds, [("y", DataType.Float), ("mask", type)], Attr("ratio", 0.3f)), feeds);
            Assert.Equal(feeds[0].Floats, outputs["y"].AsTensor().ToArray());
            Assert.Equal(type, outputs["mask"].ElementType);
            Assert.All(outputs["mask"].AsTensor().ToArray(), m => Assert.Equal(1f, m));
        }
    }

    [Fact]
    public void Dropout_refuses_training_mode_at_load()
    {
        AssertRefused(Node("Dropout", 13, [Random("x", 1, 2, 2), Random("r", 2, 1), new Feed("t", [], Longs: [1])]), "training_mode");
        AssertRefused(Node("Dropout", 6, [Random("x", 1, 2, 2)], Attr("is_test", 0L)), "is_test");
    }
}
