using Bulwark.Defenses.Certification;

namespace Bulwark.Tests.Defenses.Certification;

/// <summary>The statistics of randomised smoothing against closed forms and published values.</summary>
public sealed class SmoothingStatisticsTests
{
    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.5, 0.5723649429247001)] // ln √π
    [InlineData(10.0, 12.801827480081469)] // ln 9!
    [InlineData(20.5, 40.8315009745308)]
    [InlineData(100.0, 359.1342053695754)]
    [InlineData(1e-3, 6.907178885383854)]
    public void Log_gamma_matches_known_values(double x, double expected) =>
        Assert.Equal(expected, SmoothingStatistics.LogGamma(x), 1e-12);

    [Fact]
    public void Incomplete_beta_matches_its_closed_forms_and_inverts()
    {
        foreach (double x in new[] { 0.0, 0.01, 0.3, 0.5, 0.77, 0.999, 1.0 })
        {
            Assert.Equal(x, SmoothingStatistics.RegularizedIncompleteBeta(1, 1, x), 1e-14);
            Assert.Equal(Math.Pow(x, 3.5), SmoothingStatistics.RegularizedIncompleteBeta(3.5, 1, x), 1e-13);
            Assert.Equal(1 - Math.Pow(1 - x, 7), SmoothingStatistics.RegularizedIncompleteBeta(1, 7, x), 1e-13);
        }
        Assert.Equal(0.5, SmoothingStatistics.RegularizedIncompleteBeta(40, 40, 0.5), 1e-13);
        foreach (var (a, b, p) in new[] { (2.0, 3.0, 0.1), (50.0, 7.0, 0.999), (99_000.0, 1001.0, 0.001) })
        {
            double x = SmoothingStatistics.InverseRegularizedIncompleteBeta(a, b, p);
            Assert.Equal(p, SmoothingStatistics.RegularizedIncompleteBeta(a, b, x), 1e-10);
        }
    }

    [Theory]
    // Exact 95 % two-sided intervals (α = 0.025 each side) as printed in binomial tables.
    [InlineData(0, 10, 0.0000, 0.3085)]
    [InlineData(1, 10, 0.0025, 0.4450)]
    [InlineData(5, 10, 0.1871, 0.8129)]
    [InlineData(10, 10, 0.6915, 1.0000)]
    [InlineData(2, 20, 0.0123, 0.3170)]
    public void Clopper_pearson_matches_table_values(int k, int n, double lower, double upper)
    {
        Assert.Equal(lower, SmoothingStatistics.ClopperPearsonLower(k, n, 0.025), 5e-5);
        Assert.Equal(upper, SmoothingStatistics.ClopperPearsonUpper(k, n, 0.025), 5e-5);
    }

    [Fact]
    public void Clopper_pearson_matches_its_closed_forms_at_the_extremes()
    {
        foreach (int n in new[] { 1, 10, 1000, 100_000 })
        {
            Assert.Equal(Math.Pow(0.001, 1.0 / n), SmoothingStatistics.ClopperPearsonLower(n, n, 0.001), 1e-10);
            Assert.Equal(1 - Math.Pow(1 - 0.001, 1.0 / n), SmoothingStatistics.ClopperPearsonLower(1, n, 0.001), 1e-12);
        }
    }

    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(0.975, 1.959963984540054)]
    [InlineData(0.999, 3.090232306167813)]
    [InlineData(0.9999, 3.719016485455709)]
    [InlineData(1e-10, -6.361340902404056)]
    public void Normal_quantile_matches_known_values(double p, double z) =>
        Assert.Equal(z, SmoothingStatistics.NormalQuantile(p), 1e-12);

    [Fact]
    public void Binomial_test_and_cdf_match_direct_sums()
    {
        Assert.Equal(0.056887933640980784, SmoothingStatistics.BinomialTestTwoSided(60, 100), 1e-12);
        Assert.Equal(0.056887933640980784, SmoothingStatistics.BinomialTestTwoSided(40, 100), 1e-12);
        Assert.Equal(0.04138946533203125, SmoothingStatistics.BinomialTestTwoSided(15, 20), 1e-12);
        Assert.Equal(1.0, SmoothingStatistics.BinomialTestTwoSided(50, 100));
        double direct = Enumerable.Range(0, 8).Sum(i => Choose(30, i) * Math.Pow(0.3, i) * Math.Pow(0.7, 30 - i));
        Assert.Equal(direct, SmoothingStatistics.BinomialCdf(7, 30, 0.3), 1e-13);
        Assert.Throws<ArgumentOutOfRangeException>(() => SmoothingStatistics.ClopperPearsonLower(11, 10, 0.05));
    }

    private static double Choose(int n, int k) => Enumerable.Range(1, k).Aggregate(1.0, (acc, i) => acc * (n - k + i) / i);
}
