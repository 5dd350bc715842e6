using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class ShapeGradTests
{
    [Fact]
    public void Reshape_of_a_permuted_view() =>
        GradCheck.Check(x => x[0].Permute(2, 0, 1).Reshape(4, -1).Mul(x[0].Sum()), [GradCheck.Random(1, -1, 1, 2, 3, 4)]);

    [Fact]
    public void Slice_with_step_and_negative_bounds() =>
        GradCheck.Check(x => x[0].Slice(1, -5, 7, 2).Square(), [GradCheck.Random(1, -1, 1, 3, 8)]);

    [Fact]
    public void Expand_then_multiply() =>
        GradCheck.Check(x => x[0].Expand(4, 3, 5).Mul(x[1]), [GradCheck.Random(1, -1, 1, 3, 1), GradCheck.Random(2, -1, 1, 4, 3, 5)]);

    [Fact]
    public void Squeeze_unsqueeze_select() =>
        GradCheck.Check(x => x[0].Unsqueeze(1).Squeeze(1).Select(0, 1).Exp(), [GradCheck.Random(1, -1, 1, 3, 4)]);

    [Fact]
    public void Concat_stack_split()
    {
        GradCheck.Check(x => Tensor.Concat([x[0], x[1].Mul(x[1])], 1), [GradCheck.Random(1, -1, 1, 2, 3), GradCheck.Random(2, -1, 1, 2, 2)]);
        GradCheck.Check(x => Tensor.Stack([x[0], x[1]], 1).Tanh(), [GradCheck.Random(1, -1, 1, 2, 3), GradCheck.Random(2, -1, 1, 2, 3)]);
        GradCheck.Check(x => x[0].Split(0, 1, 3)[1].Sigmoid(), [GradCheck.Random(1, -1, 1, 4, 2)]);
    }

    [Fact]
    public void Views_share_storage_without_copying()
    {
        var t = Tensor.Arange(0, 24).Reshape(2, 3, 4);
        var p = t.Permute(2, 0, 1);
        var s = t.Slice(2, 1, 3);
        var e = Tensor.Arange(0, 3).Reshape(3, 1).Expand(3, 5);
        Assert.Same(t.storage, p.storage);
        Assert.Same(t.storage, s.storage);
        Assert.False(p.IsContiguous);
        Assert.Equal(0, e.strides[1]);
        Assert.Equal(new float[] { 1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22 }, s.ToArray());
        Assert.Equal(t[1, 2, 3], p[3, 1, 2]);
        t[1, 2, 3] = 100;
        Assert.Equal(100, p[3, 1, 2]);
    }

    [Fact]
    public void Bad_shapes_throw_the_input_exception()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Throws<BulwarkInputException>(() => t.Reshape(4, 2));
        Assert.Throws<BulwarkInputException>(() => t.Add(Tensor.Zeros(4)));
        Assert.Throws<BulwarkInputException>(() => t.MatMul(Tensor.Zeros(2, 2)));
        Assert.Throws<BulwarkInputException>(() => t.Permute(0, 0));
        Assert.Throws<BulwarkInputException>(() => t.Expand(3, 3));
        Assert.Throws<BulwarkInputException>(() => Tensor.FromArray(new float[5], 2, 3));
    }
}
