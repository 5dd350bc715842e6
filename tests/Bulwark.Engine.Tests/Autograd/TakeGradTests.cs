using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class TakeGradTests
{
    [Fact]
    public void Take_picks_flat_positions_with_repeats()
    {
        var x = Tensor.Arange(0, 6).Reshape(2, 3);
        var y = x.Take([5, 0, 0, 3], 2, 2);
        Assert.Equal(new[] { 2, 2 }, y.Shape.ToArray());
        Assert.Equal(new float[] { 5, 0, 0, 3 }, y.ToArray());
    }

    [Fact]
    public void Take_with_repeated_positions_matches_finite_differences() =>
        GradCheck.Check(x => x[0].Take([1, 1, 4, 0, 5, 1, 2], 7).Square(), [GradCheck.Random(1, -1, 1, 2, 3)]);

    [Fact]
    public void Take_of_a_permuted_view_matches_finite_differences() =>
        GradCheck.Check(x => x[0].Permute(1, 0).Take([0, 3, 2, 5, 5], 5).Exp(), [GradCheck.Random(2, -1, 1, 2, 3)]);

    [Fact]
    public void TakeAdjoint_accumulates_and_differentiates_twice()
    {
        var g = Tensor.FromArray([1f, 2f, 3f], 3).TakeAdjoint([2, 0, 2], 4);
        Assert.Equal(new float[] { 2, 0, 4, 0 }, g.ToArray());
        GradCheck.Check(x => x[0].TakeAdjoint([3, 0, 3], 2, 2).Mul(x[1]), [GradCheck.Random(3, -1, 1, 3), GradCheck.Random(4, -1, 1, 2, 2)]);
        GradCheck.CheckSecondOrder(x => x[0].Take([0, 0, 2], 3).Pow(3), [GradCheck.Random(5, 0.5f, 1, 3)]);
    }

    [Fact]
    public void Positions_out_of_range_or_not_filling_the_shape_throw()
    {
        var x = Tensor.Zeros(4);
        Assert.Throws<BulwarkInputException>(() => x.Take([4], 1));
        Assert.Throws<BulwarkInputException>(() => x.Take([-1], 1));
        Assert.Throws<BulwarkInputException>(() => x.Take([0, 1], 3));
        Assert.Throws<BulwarkInputException>(() => x.TakeAdjoint([0, 1, 2, 3], 2));
    }
}
