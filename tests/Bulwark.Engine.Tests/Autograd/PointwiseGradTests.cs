namespace Bulwark.Engine.Tests.Autograd;

public sealed class PointwiseGradTests
{
    [Fact]
    public void Sin_cos_tan_match_finite_differences()
    {
        GradCheck.Check(x => x[0].Sin(), [GradCheck.Random(1, -3, 3, 2, 3)]);
        GradCheck.Check(x => x[0].Cos(), [GradCheck.Random(2, -3, 3, 2, 3)]);
        GradCheck.Check(x => x[0].Tan(), [GradCheck.Random(3, -1, 1, 2, 3)]);
        GradCheck.CheckSecondOrder(x => x[0].Sin().Mul(x[0].Cos()), [GradCheck.Random(4, -2, 2, 5)]);
    }

    [Fact]
    public void Inverse_trigonometry_matches_finite_differences()
    {
        GradCheck.Check(x => x[0].Asin(), [GradCheck.Random(1, -0.8f, 0.8f, 2, 3)], eps: 1e-3);
        GradCheck.Check(x => x[0].Acos(), [GradCheck.Random(2, -0.8f, 0.8f, 2, 3)], eps: 1e-3);
        GradCheck.Check(x => x[0].Atan(), [GradCheck.Random(3, -3, 3, 2, 3)]);
    }

    [Fact]
    public void Tensor_power_differentiates_base_and_broadcast_exponent()
    {
        GradCheck.Check(x => x[0].Pow(x[1]), [GradCheck.Random(1, 0.5f, 2, 3, 4), GradCheck.Random(2, -2, 2, 4)]);
        GradCheck.Check(x => x[0].Pow(x[1]), [GradCheck.Random(3, 0.5f, 2, 1, 3), GradCheck.Random(4, -1, 2, 2, 1)]);
    }

    [Fact]
    public void Tensor_power_of_a_negative_base_with_an_integer_exponent()
    {
        var r = Tensor.FromArray([-2f, -3f], 2).Pow(Tensor.FromArray([3f, 2f], 2)).ToArray();
        Assert.Equal([-8f, 9f], r);
    }

    [Fact]
    public void Choose_routes_gradients_and_ignores_the_unpicked_infinity()
    {
        var mask = Tensor.FromArray([1f, 0f, 1f], 3);
        GradCheck.Check(x => Tensor.Choose(mask, x[0], x[1]), [GradCheck.Random(1, -1, 1, 2, 3), GradCheck.Random(2, -1, 1, 3)]);
        var a = Tensor.FromArray([1f, 2f, 3f], 3);
        var b = Tensor.Scalar(float.PositiveInfinity);
        Assert.Equal([1f, float.PositiveInfinity, 3f], Tensor.Choose(mask, a, b).ToArray());
    }

    [Fact]
    public void Rounding_functions()
    {
        var x = Tensor.FromArray([-1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 1.2f], 6);
        Assert.Equal([-2f, -0f, 0f, 2f, 2f, 1f], x.RoundHalfEven().ToArray());
        Assert.Equal([-2f, -1f, 0f, 1f, 2f, 1f], x.Floor().ToArray());
        Assert.Equal([-1f, -0f, 1f, 2f, 3f, 2f], x.Ceil().ToArray());
        Assert.Equal([-1f, -0f, 0f, 1f, 2f, 1f], x.Truncate().ToArray());
    }
}
