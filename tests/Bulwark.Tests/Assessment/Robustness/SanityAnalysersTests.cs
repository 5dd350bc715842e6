using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;

namespace Bulwark.Tests.Assessment.Robustness;

public sealed class SanityAnalysersTests
{
    private static RobustnessPoint P(float? eps, double robust, string attack = "pgd") =>
        new(attack, eps, NormKind.Linf, robust, 1 - robust, double.NaN, double.NaN, 0, 0, 0);

    private static readonly RobustnessPoint[] Sound = [P(0f, 0.9), P(0.05f, 0.5), P(0.1f, 0.1)];

    [Fact]
    public void A_sound_evaluation_passes_every_check()
    {
        var e = new SanityEvidence
        {
            CleanAccuracy = 0.9,
            Curve = Sound,
            Stronger = [P(0f, 0.9), P(0.05f, 0.45), P(0.1f, 0.05)],
            Unbounded = P(null, 0.0),
            BlackBox = [P(0f, 0.9, "square"), P(0.05f, 0.7, "square"), P(0.1f, 0.3, "square")],
        };
        var c = SanityAnalysers.Analyse(e);
        Assert.Equal(8, c.Count); // unbounded 1, stronger 3, black-box 3, curve 1
        Assert.False(SanityAnalysers.LikelyGradientMasking(c));
    }

    [Fact]
    public void Each_symptom_of_masking_is_flagged()
    {
        var unbounded = SanityAnalysers.Analyse(new SanityEvidence { CleanAccuracy = 0.9, Curve = Sound, Unbounded = P(null, 0.4) });
        Assert.Contains(unbounded, c => c.Check == "unbounded-attack-succeeds" && !c.Passed);

        var weaker = SanityAnalysers.Analyse(new SanityEvidence { CleanAccuracy = 0.9, Curve = Sound, Stronger = [P(0.1f, 0.3)] });
        Assert.Contains(weaker, c => c.Check == "more-effort-is-not-worse" && !c.Passed);

        var blackWins = SanityAnalysers.Analyse(new SanityEvidence { CleanAccuracy = 0.9, Curve = Sound, BlackBox = [P(0.05f, 0.2, "square")] });
        Assert.Contains(blackWins, c => c.Check == "black-box-does-not-beat-white-box" && !c.Passed);

        var rising = SanityAnalysers.Analyse(new SanityEvidence { CleanAccuracy = 0.9, Curve = [P(0f, 0.9), P(0.05f, 0.3), P(0.1f, 0.6)] });
        var c = Assert.Single(rising);
        Assert.False(c.Passed);
        Assert.Contains("rises from 30.0 % at ε = 0.05 to 60.0 % at ε = 0.1", c.Message, StringComparison.Ordinal);
        Assert.True(SanityAnalysers.LikelyGradientMasking(rising));
    }
}
