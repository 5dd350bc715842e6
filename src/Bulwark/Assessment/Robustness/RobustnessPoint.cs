using Bulwark.Attacks.Evasion;

namespace Bulwark.Assessment.Robustness;

/// <summary>One point of a robustness curve: what an attack achieved at one budget.</summary>
/// <param name="Attack">The attack's name.</param>
/// <param name="Epsilon">The budget (null for a minimum-norm attack).</param>
/// <param name="Norm">The budget's norm.</param>
/// <param name="RobustAccuracy">Fraction of samples still classified correctly under attack.</param>
/// <param name="SuccessRate">Fraction of samples the attack fooled (including those already misclassified).</param>
/// <param name="MedianL2">Median L2 size of successful perturbations (NaN if none).</param>
/// <param name="MedianLinf">Median L∞ size of successful perturbations (NaN if none).</param>
/// <param name="Queries">Scored samples spent.</param>
/// <param name="GradientCalls">Per-sample gradients spent.</param>
/// <param name="Seconds">Wall time.</param>
public sealed record RobustnessPoint(
    string Attack, float? Epsilon, NormKind Norm, double RobustAccuracy, double SuccessRate,
    double MedianL2, double MedianLinf, long Queries, long GradientCalls, double Seconds)
{
    /// <summary>Summarises an attack result.</summary>
    public static RobustnessPoint From(AttackResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new RobustnessPoint(r.Attack, r.Epsilon, r.Norm, 1 - r.SuccessRate, r.SuccessRate,
            r.MedianOverSuccesses(r.L2), r.MedianOverSuccesses(r.Linf), r.Queries, r.GradientCalls, r.Elapsed.TotalSeconds);
    }
}
