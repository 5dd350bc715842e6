using Bulwark.Attacks.Evasion;
using Bulwark.Engine;

namespace Bulwark.Tests.Attacks.Evasion;

public sealed class NormsTests
{
    private static Tensor Random(int n, int d, ulong seed)
    {
        var rng = new Rng(seed);
        return Tensor.FromArray(Enumerable.Range(0, n * d).Select(_ => (float)rng.NextNormal()).ToArray(), n, d);
    }

    [Fact]
    public void Measures_each_sample_in_each_norm()
    {
        var t = Tensor.FromArray([3f, -4f, 0f, 1f, 1f, -1f], 2, 3);
        Assert.Equal([5f, MathF.Sqrt(3)], Norms.Measure(t, NormKind.L2));
        Assert.Equal([4f, 1f], Norms.Measure(t, NormKind.Linf));
        Assert.Equal([7f, 3f], Norms.Measure(t, NormKind.L1));
        Assert.Equal([2f, 3f], Norms.CountChanged(t));
    }

    [Theory]
    [InlineData(NormKind.Linf)]
    [InlineData(NormKind.L2)]
    [InlineData(NormKind.L1)]
    public void Projection_lands_in_the_ball_and_leaves_inside_points_alone(NormKind norm)
    {
        var t = Random(20, 50, 1);
        var p = Norms.Project(t, norm, 0.5f);
        Assert.All(Norms.Measure(p, norm), v => Assert.True(v <= 0.5f + 1e-5f, $"{v}"));
        var small = t.Mul(1e-4f);
        Assert.Equal(small.ToArray(), Norms.Project(small, norm, 0.5f).ToArray());
    }

    [Fact]
    public void L1_projection_is_the_nearest_point_of_the_ball()
    {
        // Compare with any other point of the ball made by shrinking towards zero: none is closer.
        var t = Random(5, 30, 2);
        var p = Norms.Project(t, NormKind.L1, 1f);
        for (int trial = 0; trial < 200; trial++)
        {
            var q = Norms.Project(p.Add(Random(5, 30, (ulong)(10 + trial)).Mul(0.05f)), NormKind.L1, 1f);
            var dp = Norms.Measure(t.Sub(p), NormKind.L2);
            var dq = Norms.Measure(t.Sub(q), NormKind.L2);
            for (int i = 0; i < 5; i++)
                Assert.True(dp[i] <= dq[i] + 1e-5f, $"sample {i}: projection {dp[i]} farther than {dq[i]}");
        }
        // The projection of a 1-D example by hand: (3, 1) onto the L1 ball of radius 2 is (2, 0).
        Assert.Equal([2f, 0f], Norms.Project(Tensor.FromArray([3f, 1f], 1, 2), NormKind.L1, 2f).ToArray());
    }

    [Fact]
    public void Steepest_directions_have_unit_norm_and_ascend()
    {
        var g = Random(4, 100, 4);
        var l2 = Norms.SteepestDirection(g, NormKind.L2);
        Assert.All(Norms.Measure(l2, NormKind.L2), v => Assert.Equal(1f, v, 4));
        var l1 = Norms.SteepestDirection(g, NormKind.L1, 0.05);
        Assert.All(Norms.Measure(l1, NormKind.L1), v => Assert.Equal(1f, v, 4));
        Assert.All(Norms.CountChanged(l1), v => Assert.Equal(5f, v));
        var linf = Norms.SteepestDirection(g, NormKind.Linf);
        foreach (var d in new[] { l2, l1, linf })
        {
            var dot = g.Mul(d).Sum(1).ToArray();
            Assert.All(dot, v => Assert.True(v > 0));
        }
    }
}
