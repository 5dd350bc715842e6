using Bulwark.Defenses.Certification;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Tests.Attacks;
using Xunit.Abstractions;

namespace Bulwark.Tests.Defenses.Certification;

/// <summary>
/// Randomised smoothing: CERTIFY's radius against an independent computation of Cohen's formula
/// from the same counts, abstentions, and certified accuracy on digits with σ = 0.25.
/// </summary>
public sealed class RandomizedSmoothingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1000, 1000, 0.25)]
    [InlineData(990, 1000, 0.25)]
    [InlineData(700, 1000, 0.5)]
    [InlineData(99_500, 100_000, 0.25)]
    public void Certified_radius_equals_an_independent_computation_of_cohens_formula(int count, int samples, double sigma)
    {
        var certificate = RandomizedSmoothing.FromCount(3, count, samples, 0.001, sigma);
        double lower = LowerBoundByBisection(count, samples, 0.001);
        double radius = sigma * QuantileByBisection(lower);
        Assert.Equal(3, certificate.Class);
        Assert.Equal(lower, certificate.LowerBound, 1e-9);
        Assert.Equal(radius, certificate.Radius, 1e-7);
    }

    [Fact]
    public void Split_counts_make_both_procedures_abstain()
    {
        Assert.True(RandomizedSmoothing.FromCount(0, 520, 1000, 0.001, 0.25).Abstained);
        Assert.True(RandomizedSmoothing.FromCount(0, 500, 1000, 0.001, 0.25).Abstained);
        Assert.False(RandomizedSmoothing.FromCount(0, 560, 1000, 0.001, 0.25).Abstained);
        Assert.True(RandomizedSmoothing.FromVotes([480, 520, 0], 0.001).Abstained);
        Assert.True(RandomizedSmoothing.FromVotes([0, 5, 5, 0], 0.001).Abstained);
        var clear = RandomizedSmoothing.FromVotes([30, 900, 70], 0.001);
        Assert.Equal(1, clear.Class);
        Assert.Equal(900, clear.Count);
        Assert.Equal(1000, clear.Samples);
    }

    [Fact]
    public void Smoothing_a_noise_trained_digits_cnn_certifies_many_samples_at_radius_a_quarter()
    {
        const float Sigma = 0.25f;
        var data = TrainedModels.Digits;
        var baseModel = new GaussianAugmentationLearner(TrainedModels.DigitsCnnArchitecture, new GaussianAugmentationOptions
        {
            Sigma = Sigma,
            Training = new TrainingRecipe { Epochs = 10, BatchSize = 64, LearningRate = 3e-3f },
        }).Fit(data.Train);
        var test = data.Test.Take(40);
        var smoothing = new RandomizedSmoothing(baseModel, new RandomizedSmoothingOptions { Sigma = Sigma, EstimationSamples = 1000, PredictionSamples = 500, Seed = 5 });
        var certificates = smoothing.Certify(test.Features);
        double at0 = RandomizedSmoothing.CertifiedAccuracy(certificates, test.Labels, 0);
        double atQuarter = RandomizedSmoothing.CertifiedAccuracy(certificates, test.Labels, 0.25);
        double atHalf = RandomizedSmoothing.CertifiedAccuracy(certificates, test.Labels, 0.5);
        var predictions = smoothing.Predict(test.Features);
        double predicted = predictions.Where((p, i) => p.Class == test.Labels.Data[i]).Count() / 40.0;
        output.WriteLine($"σ = {Sigma}, n0 = 100, n = 1000, α = 0.001 on 40 test digits: certified accuracy {at0:P1} at r = 0, {atQuarter:P1} at r = 0.25, {atHalf:P1} at r = 0.5");
        output.WriteLine($"PREDICT (n = 500): {predicted:P1} correct, {predictions.Count(p => p.Abstained)} abstentions; CERTIFY abstained on {certificates.Count(c => c.Abstained)}");
        Assert.True(atQuarter >= 0.6, $"certified accuracy at 0.25: {atQuarter:P1}");
        Assert.True(at0 >= atQuarter && atQuarter >= atHalf);
        Assert.All(certificates.Where(c => !c.Abstained), c => Assert.InRange(c.Radius, 0, Sigma * SmoothingStatistics.NormalQuantile(Math.Pow(0.001, 1.0 / 1000)) + 1e-9));
        Assert.Equal(certificates, smoothing.Certify(test.Features));
    }

    /// <summary>p̲ with P(X ≥ k; n, p̲) = α, by bisection on a binomial tail summed term by term in log space.</summary>
    private static double LowerBoundByBisection(int k, int n, double alpha)
    {
        double lo = 0, hi = 1;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (UpperTail(k, n, mid) < alpha)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    private static double UpperTail(int k, int n, double p)
    {
        double logChoose = 0;
        for (int i = 1; i <= k; i++)
            logChoose += Math.Log(n - k + i) - Math.Log(i);
        double sum = 0;
        for (int i = k; i <= n; i++)
        {
            sum += Math.Exp(logChoose + (i * Math.Log(p)) + ((n - i) * Math.Log(1 - p)));
            logChoose += Math.Log(n - i) - Math.Log(i + 1);
        }
        return sum;
    }

    private static double QuantileByBisection(double p)
    {
        double lo = -40, hi = 40;
        for (int i = 0; i < 200; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (SpecialFunctions.NormalCdf(mid) < p)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }
}
