using Bulwark.Attacks.Evasion;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Assessment.Robustness;

/// <summary>What <see cref="RobustnessEvaluation.Run"/> measured, with the sanity conclusions.</summary>
public sealed record RobustnessReport(
    double CleanAccuracy,
    IReadOnlyList<RobustnessPoint> Curve,
    IReadOnlyList<RobustnessPoint>? Stronger,
    RobustnessPoint? Unbounded,
    IReadOnlyList<RobustnessPoint>? BlackBox,
    IReadOnlyList<SanityConclusion> Conclusions)
{
    /// <summary>Whether a sanity check failed (Carlini et al. 2019): the curve likely overstates robustness.</summary>
    public bool LikelyGradientMasking => SanityAnalysers.LikelyGradientMasking(Conclusions);

    /// <summary>The main attack's full results, one per budget of <see cref="Curve"/> (the adversarial inputs included).</summary>
    public IReadOnlyList<AttackResult> CurveResults { get; init; } = [];
}

/// <summary>The attacks that make up one robustness evaluation.</summary>
public sealed record RobustnessPlan
{
    /// <summary>The main attack, run at every budget.</summary>
    public required EvasionAttack Attack { get; init; }

    /// <summary>The budgets of the curve.</summary>
    public required IReadOnlyList<float> Epsilons { get; init; }

    /// <summary>The same attack with more effort (more steps or restarts), for the "more effort is not worse" check.</summary>
    public EvasionAttack? Stronger { get; init; }

    /// <summary>The budgets <see cref="Stronger"/> runs at; all of <see cref="Epsilons"/> when null (the check pairs budgets by value).</summary>
    public IReadOnlyList<float>? StrongerEpsilons { get; init; }

    /// <summary>An attack whose budget covers the whole input box, for the "unbounded attack succeeds" check.</summary>
    public EvasionAttack? Unbounded { get; init; }

    /// <summary>A black-box attack at the same budgets, for the "black-box does not beat white-box" check.</summary>
    public EvasionAttack? BlackBox { get; init; }
}

/// <summary>
/// A robust-accuracy curve over budgets and the evidence the sanity analysers need, run on one
/// model and one batch. Each sample counts as robust at ε when the attack fails on it (a sample
/// the model already gets wrong is never robust).
/// </summary>
public static class RobustnessEvaluation
{
    /// <summary>Runs the plan on <paramref name="x"/>, <paramref name="y"/>; <paramref name="progress"/> hears each stage.</summary>
    public static RobustnessReport Run(IClassifier model, Tensor x, LongTensor y, RobustnessPlan plan, IProgress<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(plan);
        AttackInput.Validate(model, x, y);
        double clean = CleanAccuracy(model, x, y);
        IReadOnlyList<AttackResult> Results(EvasionAttack a, IReadOnlyList<float> epsilons, string stage)
        {
            progress?.Report(stage);
            return a.RunCurve(model, x, y, epsilons);
        }
        IReadOnlyList<RobustnessPoint> Curve(EvasionAttack a, string stage, IReadOnlyList<float>? epsilons = null) =>
            Results(a, epsilons ?? plan.Epsilons, stage).Select(RobustnessPoint.From).ToArray();
        var results = Results(plan.Attack, plan.Epsilons, $"{plan.Attack.Name} at {plan.Epsilons.Count} budgets");
        var curve = results.Select(RobustnessPoint.From).ToArray();
        var stronger = plan.Stronger is null ? null : Curve(plan.Stronger, $"{plan.Stronger.Name} with more effort", plan.StrongerEpsilons);
        RobustnessPoint? unbounded = null;
        if (plan.Unbounded is { } u)
        {
            progress?.Report($"{u.Name} unbounded");
            unbounded = RobustnessPoint.From(u.Run(model, x, y));
        }
        var black = plan.BlackBox is null ? null : Curve(plan.BlackBox, $"{plan.BlackBox.Name} (black box)");
        var evidence = new SanityEvidence { CleanAccuracy = clean, Curve = curve, Stronger = stronger, Unbounded = unbounded, BlackBox = black };
        return new RobustnessReport(clean, curve, stronger, unbounded, black, SanityAnalysers.Analyse(evidence)) { CurveResults = results };
    }

    /// <summary>Fraction of <paramref name="x"/> the model classifies as <paramref name="y"/> (NaN for no samples).</summary>
    public static double CleanAccuracy(IClassifier model, Tensor x, LongTensor y)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(y);
        if (y.Size == 0)
            return double.NaN;
        var predicted = model.PredictProba(x).ArgMax(-1).Data;
        return predicted.Where((c, i) => c == y.Data[i]).Count() / (double)y.Size;
    }

    /// <summary>
    /// The standard plan around PGD: the curve with <paramref name="steps"/> steps, the same with
    /// 5× the steps and 3 restarts, and PGD with a budget spanning the whole input box.
    /// </summary>
    public static RobustnessPlan PgdPlan(IReadOnlyList<float> epsilons, NormKind norm, InputBounds bounds, int steps = 20, ulong seed = 0, int dimensions = 1)
    {
        ArgumentNullException.ThrowIfNull(epsilons);
        float whole = norm switch
        {
            NormKind.Linf => bounds.Range,
            NormKind.L2 => bounds.Range * MathF.Sqrt(dimensions),
            _ => bounds.Range * dimensions,
        };
        return new RobustnessPlan
        {
            Attack = new Pgd(new PgdOptions { Norm = norm, Steps = steps, Seed = seed }),
            Epsilons = epsilons,
            Stronger = new Pgd(new PgdOptions { Norm = norm, Steps = steps * 5, Restarts = 3, Seed = seed + 1 }),
            Unbounded = new Pgd(new PgdOptions { Epsilon = whole, Norm = norm, Steps = Math.Max(steps, 50), StepSize = whole / 10, Seed = seed + 2 }),
        };
    }
}
