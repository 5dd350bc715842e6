using System.Globalization;

namespace Bulwark.Assessment.Robustness;

/// <summary>One check of an evaluation's soundness, in the spirit of Carlini et al. (2019).</summary>
public interface ISanityAnalyser
{
    /// <summary>Conclusions drawn from the evidence; nothing when the evidence it needs is absent.</summary>
    IEnumerable<SanityConclusion> Analyse(SanityEvidence evidence);
}

/// <summary>
/// The checks of Carlini et al., "On Evaluating Adversarial Robustness" (2019), that catch an attack
/// too weak to measure anything, most often because the defence masks gradients: an unbounded
/// attack must reach about 100 % success; more iterations or restarts must not do worse; a
/// black-box attack must not beat a white-box one; robust accuracy must not rise as ε grows.
/// A defence failing any of them is flagged as likely gradient masking.
/// </summary>
public static class SanityAnalysers
{
    /// <summary>Success rate an unbounded attack must reach.</summary>
    public const double UnboundedSuccess = 0.99;

    /// <summary>Slack, in accuracy, for sampling noise between two runs on the same samples.</summary>
    public const double Slack = 0.02;

    /// <summary>Every analyser, in report order.</summary>
    public static IReadOnlyList<ISanityAnalyser> All { get; } =
        [new UnboundedAttackSucceeds(), new MoreEffortIsNotWorse(), new BlackBoxDoesNotBeatWhiteBox(), new AccuracyFallsWithBudget()];

    /// <summary>Runs every analyser.</summary>
    public static IReadOnlyList<SanityConclusion> Analyse(SanityEvidence evidence) =>
        All.SelectMany(a => a.Analyse(evidence)).ToArray();

    /// <summary>Whether any conclusion failed: the evaluation likely suffers from gradient masking.</summary>
    public static bool LikelyGradientMasking(IEnumerable<SanityConclusion> conclusions) =>
        conclusions.Any(c => !c.Passed);

    /// <summary>A fraction as a percentage with one decimal.</summary>
    public static string Pct(double v) => (100 * v).ToString("0.0", CultureInfo.InvariantCulture) + " %";

    /// <summary>A budget for messages (∞ when null).</summary>
    public static string Eps(float? e) => e?.ToString("0.####", CultureInfo.InvariantCulture) ?? "∞";

    private sealed class UnboundedAttackSucceeds : ISanityAnalyser
    {
        public IEnumerable<SanityConclusion> Analyse(SanityEvidence e)
        {
            if (e.Unbounded is not { } u)
                yield break;
            bool ok = u.SuccessRate >= UnboundedSuccess;
            yield return new SanityConclusion("unbounded-attack-succeeds", ok,
                $"{u.Attack} with an unbounded budget fooled {Pct(u.SuccessRate)} of samples" + (ok ? "" : $"; below {Pct(UnboundedSuccess)}, so its gradients do not lead anywhere"));
        }
    }

    private sealed class MoreEffortIsNotWorse : ISanityAnalyser
    {
        public IEnumerable<SanityConclusion> Analyse(SanityEvidence e)
        {
            if (e.Stronger is not { } stronger)
                yield break;
            foreach (var (weak, strong) in Pairs(e.Curve, stronger))
            {
                bool ok = strong.RobustAccuracy <= weak.RobustAccuracy + Slack;
                yield return new SanityConclusion("more-effort-is-not-worse", ok,
                    $"at ε = {Eps(weak.Epsilon)}: robust accuracy {Pct(weak.RobustAccuracy)} with the base attack, {Pct(strong.RobustAccuracy)} with more iterations/restarts");
            }
        }
    }

    private sealed class BlackBoxDoesNotBeatWhiteBox : ISanityAnalyser
    {
        public IEnumerable<SanityConclusion> Analyse(SanityEvidence e)
        {
            if (e.BlackBox is not { } black)
                yield break;
            foreach (var (white, bb) in Pairs(e.Curve, black))
            {
                bool ok = bb.RobustAccuracy >= white.RobustAccuracy - Slack;
                yield return new SanityConclusion("black-box-does-not-beat-white-box", ok,
                    $"at ε = {Eps(white.Epsilon)}: white-box {white.Attack} leaves {Pct(white.RobustAccuracy)}, black-box {bb.Attack} leaves {Pct(bb.RobustAccuracy)}");
            }
        }
    }

    private sealed class AccuracyFallsWithBudget : ISanityAnalyser
    {
        public IEnumerable<SanityConclusion> Analyse(SanityEvidence e)
        {
            var points = e.Curve.Where(p => p.Epsilon is not null).OrderBy(p => p.Epsilon).ToArray();
            if (points.Length < 2)
                yield break;
            var rises = points.Zip(points.Skip(1)).Where(p => p.Second.RobustAccuracy > p.First.RobustAccuracy + Slack).ToArray();
            bool ok = rises.Length == 0;
            yield return new SanityConclusion("accuracy-falls-with-budget", ok, ok
                ? $"robust accuracy falls from {Pct(points[0].RobustAccuracy)} at ε = {Eps(points[0].Epsilon)} to {Pct(points[^1].RobustAccuracy)} at ε = {Eps(points[^1].Epsilon)}"
                : string.Join("; ", rises.Select(r => $"robust accuracy rises from {Pct(r.First.RobustAccuracy)} at ε = {Eps(r.First.Epsilon)} to {Pct(r.Second.RobustAccuracy)} at ε = {Eps(r.Second.Epsilon)}")));
        }
    }

    private static IEnumerable<(RobustnessPoint A, RobustnessPoint B)> Pairs(IReadOnlyList<RobustnessPoint> a, IReadOnlyList<RobustnessPoint> b) =>
        a.Join(b, p => p.Epsilon, q => q.Epsilon, (p, q) => (p, q));
}
