using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Randomness;

public class TensorRandomTests
{
    [Fact]
    public void Factories_draw_in_row_major_order_from_the_given_generator()
    {
        var t = Tensor.Rand(new Rng(42), 2, 3);
        var rng = new Rng(42);
        Assert.Equal(new[] { 2, 3 }, t.Shape.ToArray());
        Assert.Equal(Enumerable.Range(0, 6).Select(_ => rng.NextFloat()), t.ToArray());
        Assert.False(t.RequiresGrad);
    }

    [Fact]
    public void Randn_and_Normal_match_the_scalar_sampler()
    {
        var rng = new Rng(5);
        var expected = Enumerable.Range(0, 7).Select(_ => rng.Normal(2f, 3f)).ToArray();
        Assert.Equal(expected, Tensor.Normal(new Rng(5), 2f, 3f, 7).ToArray());
        Assert.Equal(Tensor.Randn(new Rng(1), 4, 4).ToArray(), Tensor.Randn(new Rng(1), 16).ToArray());
    }

    [Fact]
    public void Uniform_respects_bounds()
    {
        var t = Tensor.Uniform(new Rng(3), -0.5f, 0.25f, 1000);
        Assert.True(t.MinValue() >= -0.5f);
        Assert.True(t.MaxValue() < 0.25f);
        Assert.Throws<BulwarkInputException>(() => Tensor.Uniform(new Rng(3), 1f, -1f, 2));
    }

    [Fact]
    public void Bernoulli_gives_zeros_and_ones_at_the_rate()
    {
        var t = Tensor.Bernoulli(new Rng(8), 0.25f, 100_000).ToArray();
        Assert.All(t, v => Assert.True(v is 0f or 1f));
        Assert.InRange(t.Sum(), 25_000 - 550, 25_000 + 550);
        Assert.Equal(0f, Tensor.Bernoulli(new Rng(8), 0f, 50).ToArray().Sum());
        Assert.Throws<BulwarkInputException>(() => Tensor.Bernoulli(new Rng(8), -0.1f, 2));
    }
}
