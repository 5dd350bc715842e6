using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;
using Bulwark.Attacks.Evasion.Adaptive;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;
using Bulwark.Tests.Defenses.Training;
using Xunit.Abstractions;

namespace Bulwark.Tests.Defenses.Preprocessing;

/// <summary>
/// A deliberately gradient-masking defence (1-bit feature squeezing in front of the digits CNN):
/// plain PGD through its zero gradient fails and the sanity analysers flag it; PGD with BPDA breaks
/// it and the flag clears. EOT against a randomised defence: averaged gradients are steadier.
/// </summary>
public sealed class AdaptiveAttackTests(ITestOutputHelper output)
{
    [Fact]
    public void Bit_depth_squeezing_masks_gradients_and_bpda_sees_through_it()
    {
        var cnn = TrainedModels.DigitsCnn();
        var squeezer = new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = 1 });
        var masked = new PreprocessedClassifier(cnn, squeezer, PreprocessorGradient.Exact);
        var bpda = new PreprocessedClassifier(cnn, squeezer, PreprocessorGradient.Bpda);
        var (x, y) = TrainedModels.CorrectlyClassified(masked, 60);

        var naive = new Pgd(new PgdOptions { Epsilon = 0.3f, Steps = 20 }).Run(masked, x, y);
        var adaptive = new Pgd(new PgdOptions { Epsilon = 0.3f, Steps = 20 }).Run(bpda, x, y);
        output.WriteLine($"PGD-20 ε=0.3 success: plain {naive.SuccessRate:P1}, with BPDA {adaptive.SuccessRate:P1}");
        Assert.True(adaptive.SuccessRate >= naive.SuccessRate + 0.3, $"plain {naive.SuccessRate:P1}, BPDA {adaptive.SuccessRate:P1}");

        var flagged = SanityAnalysers.Analyse(AdversarialTrainingTests.Evidence(masked, x, y));
        var cleared = SanityAnalysers.Analyse(AdversarialTrainingTests.Evidence(bpda, x, y));
        foreach (var (label, conclusions) in new[] { ("plain", flagged), ("bpda", cleared) })
            foreach (var c in conclusions)
                output.WriteLine($"{label}: {(c.Passed ? "pass" : "FAIL")} {c.Check}: {c.Message}");
        Assert.True(SanityAnalysers.LikelyGradientMasking(flagged));
        Assert.Contains(flagged, c => c.Check == "unbounded-attack-succeeds" && !c.Passed);
        Assert.False(SanityAnalysers.LikelyGradientMasking(cleared));
    }

    [Fact]
    public void Eot_averages_draws_into_steadier_gradients_and_a_stronger_attack()
    {
        var cnn = TrainedModels.DigitsCnn();
        IGradientClassifier Noisy(ulong seed) => new PreprocessedClassifier(cnn, new RandomNoise(new RandomNoiseOptions { Sigma = 0.3f, Seed = seed }));
        var (x, y) = TrainedModels.CorrectlyClassified(cnn, 40);

        double single = Cosine(Noisy(1).LossGradient(x, y), Noisy(2).LossGradient(x, y));
        var eotA = new ExpectationOverTransformation(Noisy(1), new EotOptions { Samples = 16 });
        var eotB = new ExpectationOverTransformation(Noisy(2), new EotOptions { Samples = 16 });
        double averaged = Cosine(eotA.LossGradient(x, y), eotB.LossGradient(x, y));
        output.WriteLine($"cosine between two gradient estimates: one draw {single:F3}, EOT over 16 draws {averaged:F3}");
        Assert.True(averaged > single + 0.2, $"one draw {single:F3}, EOT {averaged:F3}");

        var pgd = new Pgd(new PgdOptions { Epsilon = 0.1f, Steps = 10 });
        var judge = new ExpectationOverTransformation(Noisy(99), new EotOptions { Samples = 32 });
        double Fooled(Tensor adv) => judge.PredictProba(adv).ArgMax(-1).Data.Where((p, i) => p != y.Data[i]).Count() / (double)y.Size;
        double plain = Fooled(pgd.Run(Noisy(3), x, y).Adversarial);
        double eot = Fooled(pgd.Run(new ExpectationOverTransformation(Noisy(3), new EotOptions { Samples = 8 }), x, y).Adversarial);
        output.WriteLine($"PGD-10 ε=0.1 against σ=0.3 noise, judged on 32 fresh draws: one draw per step {plain:P1}, EOT-8 {eot:P1}");
        Assert.True(eot >= plain - 0.05, $"one draw {plain:P1}, EOT {eot:P1}");
    }

    /// <summary>Mean over samples of the cosine between two gradient estimates.</summary>
    private static double Cosine(Tensor a, Tensor b)
    {
        int n = a.Shape[0];
        int d = a.Size / n;
        var u = a.ToArray();
        var v = b.ToArray();
        double total = 0;
        for (int i = 0; i < n; i++)
        {
            double dot = 0, uu = 0, vv = 0;
            for (int k = i * d; k < (i + 1) * d; k++)
            {
                dot += u[k] * (double)v[k];
                uu += u[k] * (double)u[k];
                vv += v[k] * (double)v[k];
            }
            total += dot / Math.Sqrt((uu * vv) + 1e-30);
        }
        return total / n;
    }
}
