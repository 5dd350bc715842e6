using Bulwark.Engine;
using Bulwark.Onnx;
using static Bulwark.Tests.Onnx.Import.OpMathGraph;
using DataType = Bulwark.Onnx.Proto.TensorProto.Types.DataType;

namespace Bulwark.Tests.Onnx.Import;

public sealed class EinsumOpTests
{
    private static readonly DataType[] TwoFloats = [DataType.Float, DataType.Float];

    private static OnnxModel Einsum(string equation, int inputs = 2) =>
        Load("Einsum", 12, Enumerable.Repeat(DataType.Float, inputs).ToArray(), 1, Str("equation", equation));

    [Fact]
    public void Matmul_batch_matmul_transpose_outer_and_sums()
    {
        var a = F([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = F([1f, 0f, 0f, 1f, 1f, 1f], 3, 2);
        Assert.Equal([4f, 5f, 10f, 11f], Run(Einsum("ij,jk->ik"), a, b)[0].Float!.ToArray());
        Assert.Equal([4f, 5f, 10f, 11f], Run(Einsum("ij,jk"), a, b)[0].Float!.ToArray());
        Assert.Equal([1f, 4f, 2f, 5f, 3f, 6f], Run(Einsum("ij->ji", 1), a)[0].Float!.ToArray());
        Assert.Equal([6f, 15f], Run(Einsum("ij->i", 1), a)[0].Float!.ToArray());
        Assert.Equal([21f], Run(Einsum("ij->", 1), a)[0].Float!.ToArray());
        var outer = Run(Einsum("i,j->ij"), F([1f, 2f], 2), F([3f, 4f, 5f], 3))[0];
        Assert.Equal([2, 3], outer.Shape.ToArray());
        Assert.Equal([3f, 4f, 5f, 6f, 8f, 10f], outer.Float!.ToArray());
        var batch = Run(Einsum("bij,bjk->bik"), F([1f, 2f, 3f, 4f], 2, 1, 2), F([1f, 1f, 2f, 2f], 2, 2, 1))[0];
        Assert.Equal([2, 1, 1], batch.Shape.ToArray());
        Assert.Equal([3f, 14f], batch.Float!.ToArray());
        var ellipsis = Run(Einsum("...ij,...jk->...ik"), F([1f, 2f, 3f, 4f], 2, 1, 2), F([1f, 1f], 2, 1))[0];
        Assert.Equal([3f, 7f], ellipsis.Float!.ToArray());
    }

    [Fact]
    public void Einsum_gradient_matches_finite_differences()
    {
        var model = Einsum("bij,jk->bki");
        OnnxValue[] xs = [F([0.1f, -0.4f, 0.7f, 1.2f, -0.3f, 0.5f], 1, 2, 3), F([0.2f, 1f, -0.6f, 0.4f, 0.9f, -1.1f], 3, 2)];
        CheckGradient(model, xs, wrt: 0);
        CheckGradient(model, xs, wrt: 1);
    }

    [Fact]
    public void A_repeated_label_in_one_operand_is_refused_at_load()
    {
        var e = Assert.Throws<BulwarkInputException>(() => Einsum("ii->i", 1));
        Assert.Contains("op Einsum", e.Message, StringComparison.Ordinal);
        Assert.Contains("repeats label 'i'", e.Message, StringComparison.Ordinal);
    }
}
