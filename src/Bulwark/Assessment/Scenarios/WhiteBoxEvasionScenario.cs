using System.Globalization;
using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Defenses.Detection;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Models;
using Bulwark.Threats;

namespace Bulwark.Assessment.Scenarios;

/// <summary>
/// T7 (white-box evasion), assessed by a PGD robust-accuracy curve (Madry et al., "Towards Deep
/// Learning Models Resistant to Adversarial Attacks", ICLR 2018) at 0, ¼, ½, 1 and 2 × a reference
/// L∞ budget (0.1 of the input range for images, 0.05 for tables), with the gradient-masking sanity
/// checks of Carlini et al. (2019) when the budget allows. Severity: robust accuracy at the
/// reference budget as a share of clean accuracy (<see cref="SeverityRules.RobustnessRatio"/>),
/// raised to at least Medium when a sanity check fails, because the curve then overstates
/// robustness. Defences measured on the same samples: bit-depth feature squeezing attacked through
/// BPDA (the adaptive attack of Athalye et al. 2018), and the feature-squeezing detector's
/// detection rate at a 5 % false-positive rate (Xu et al., NDSS 2018; a non-adaptive attacker).
/// </summary>
public sealed class WhiteBoxEvasionScenario : IScenario
{
    /// <summary>The bit depth of the squeezing defence measured on images.</summary>
    public const int SqueezeBits = 4;

    /// <inheritdoc />
    public ThreatId Threat => ThreatId.T7;

    /// <inheritdoc />
    public string Name => "pgd-robustness";

    /// <inheritdoc />
    public string? Unfit(ScanTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Modality == FeatureKind.Text)
            return "a text model: gradient steps on word features are not realisable text (T8's good-word scenario covers text)";
        if (target.Model is not IGradientClassifier)
            return "the model gives no gradients (an endpoint or a runtime without them): white-box evasion needs the ONNX file or an in-process model";
        return null;
    }

    /// <inheritdoc />
    public Finding Run(ScanTarget target, ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        var budget = context.Budget;
        var model = (IGradientClassifier)target.Model;
        var data = ScenarioInputs.Sample(target.Data!, budget.WhiteBoxSamples, context.Seed);
        float reference = ScenarioInputs.ReferenceEpsilon(target, context);
        var epsilons = ScenarioInputs.CurveEpsilons(reference);
        int dimensions = data.SampleShape.Aggregate(1, (a, b) => a * b);
        var plan = RobustnessEvaluation.PgdPlan(epsilons, NormKind.Linf, model.Bounds, budget.PgdSteps, context.Seed, dimensions);
        plan = budget.SanityChecks
            ? plan with { StrongerEpsilons = [reference] }
            : plan with { Stronger = null, Unbounded = null };
        int stages = 1 + (plan.Stronger is null ? 0 : 1) + (plan.Unbounded is null ? 0 : 1);
        int stage = 0;
        var report = RobustnessEvaluation.Run(model, data.Features, data.Labels, plan,
            new Progress(s => context.Report(0.8 * stage++ / stages, s)));
        int at = Array.IndexOf(epsilons, reference);
        var main = report.CurveResults[at];
        double clean = report.CleanAccuracy;
        double robust = report.Curve[at].RobustAccuracy;
        string budgetText = ScenarioInputs.Budget(reference);
        var severity = SeverityRules.RobustnessRatio(clean, robust, budgetText);
        if (report.LikelyGradientMasking)
            severity = SeverityRules.AtLeast(severity, Severity.Medium, "a sanity check failed, so the curve likely overstates robustness (gradient masking)");

        var series = new List<ChartSeries> { Series("PGD, no defence", report.Curve) };
        if (report.Stronger is { } stronger)
            series.Add(Series("PGD, 5× steps and 3 restarts (reference ε)", stronger));
        var defences = new List<DefenceEffect>();
        context.Report(0.8, "defences");
        if (target.Modality == FeatureKind.Image)
        {
            var (effect, squeezedCurve) = Squeezing(model, data, epsilons, at, budget, context.Seed);
            defences.Add(effect);
            series.Add(Series($"PGD through {SqueezeBits}-bit squeezing (BPDA)", squeezedCurve));
            context.Report(0.9, "feature-squeezing detector");
            defences.Add(Detector(target, model, main, context.Seed));
        }
        var ordered = ThreatCatalog.Get(ThreatId.T7).Defences
            .Select(name => defences.FirstOrDefault(e => e.Name == name) ?? DefenceEffect.NotMeasured(name, NotMeasuredWhy(name)))
            .ToArray();

        var metrics = new List<Metric>
        {
            Metric.Of("robust_accuracy", $"robust accuracy at {budgetText}", robust, "fraction", MetricDirection.HigherIsBetter),
            Metric.Of("clean_accuracy", "clean accuracy", clean, "fraction", MetricDirection.HigherIsBetter),
            Metric.Of("success_rate", $"PGD success rate at {budgetText}", report.Curve[at].SuccessRate, "fraction", MetricDirection.LowerIsBetter),
            Metric.Of("reference_epsilon", "reference budget ε (L∞)", reference, "Linf"),
            Metric.Of("samples", "samples attacked", data.Count, "count"),
            Metric.Of("pgd_steps", "PGD iterations", budget.PgdSteps, "count"),
        };
        for (int i = 0; i < epsilons.Length; i++)
        {
            if (i != at)
                metrics.Add(Metric.Of($"robust_accuracy_eps_{Format(epsilons[i])}", $"robust accuracy at {ScenarioInputs.Budget(epsilons[i])}", report.Curve[i].RobustAccuracy, "fraction", MetricDirection.HigherIsBetter));
        }
        if (report.Conclusions.Count > 0)
            metrics.Add(Metric.Of("sanity_failures", "gradient-masking checks failed", report.Conclusions.Count(c => !c.Passed), "count", MetricDirection.LowerIsBetter));

        var evidence = new List<Evidence>
        {
            new ChartEvidence("Robust accuracy against ε (PGD, L∞)", "ε (L∞)", "robust accuracy", series),
        };
        if (ScenarioInputs.Images(target, data, main, $"Original / adversarial / difference at {budgetText}") is { } images)
            evidence.Add(images);
        if (report.Conclusions.Count > 0)
        {
            evidence.Add(new TableEvidence("Gradient-masking checks (Carlini et al. 2019)", ["check", "passed", "detail"],
                report.Conclusions.Select(c => (IReadOnlyList<string>)[c.Check, c.Passed ? "yes" : "NO", c.Message]).ToArray()));
        }
        return new Finding
        {
            Threat = ThreatCatalog.Get(ThreatId.T7),
            Status = FindingStatus.Assessed,
            Title = $"PGD takes accuracy from {SeverityRules.Percent(clean)} to {SeverityRules.Percent(robust)} at {budgetText}",
            Severity = severity.Severity,
            SeverityRule = severity.Rule,
            Metrics = metrics,
            Evidence = evidence,
            Defences = ordered,
        };
    }

    private static (DefenceEffect Effect, IReadOnlyList<RobustnessPoint> Curve) Squeezing(IGradientClassifier model, Dataset data, float[] epsilons, int at, ScanBudget budget, ulong seed)
    {
        var squeezed = new PreprocessedClassifier(model, new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = SqueezeBits }));
        var attack = new Pgd(new PgdOptions { Norm = NormKind.Linf, Steps = budget.PgdSteps, Seed = seed });
        var curve = attack.RunCurve(squeezed, data.Features, data.Labels, epsilons).Select(RobustnessPoint.From).ToArray();
        double clean = RobustnessEvaluation.CleanAccuracy(squeezed, data.Features, data.Labels);
        string budgetText = ScenarioInputs.Budget(epsilons[at]);
        var effect = new DefenceEffect("input preprocessing (feature squeezing, smoothing)", true,
            $"{SqueezeBits}-bit feature squeezing, attacked adaptively through BPDA: clean accuracy {SeverityRules.Percent(clean)}, robust accuracy {SeverityRules.Percent(curve[at].RobustAccuracy)} at {budgetText}",
            [
                Metric.Of("clean_accuracy", "clean accuracy with squeezing", clean, "fraction", MetricDirection.HigherIsBetter),
                Metric.Of("robust_accuracy", $"robust accuracy with squeezing at {budgetText}", curve[at].RobustAccuracy, "fraction", MetricDirection.HigherIsBetter),
            ]);
        return (effect, curve);
    }

    private static DefenceEffect Detector(ScanTarget target, IGradientClassifier model, AttackResult attack, ulong seed)
    {
        var calibration = ScenarioInputs.Sample(target.Data!, 200, seed ^ 0x5eed);
        var detector = FeatureSqueezingDetector.Calibrate(model, calibration.Features);
        var report = detector.Evaluate(calibration.Features, attack);
        return new DefenceEffect("adversarial-input detection", true,
            $"feature-squeezing detector (bit depth and median smoothing) calibrated on {report.Clean} clean samples: it flags {SeverityRules.Percent(report.DetectionRate)} of the {report.Adversarial} successful adversarial inputs at a {SeverityRules.Percent(report.FalsePositiveRate)} false-positive rate (a non-adaptive attacker)",
            [
                Metric.Of("detection_rate", "adversarial inputs detected", report.DetectionRate, "fraction", MetricDirection.HigherIsBetter),
                Metric.Of("false_positive_rate", "clean inputs flagged", report.FalsePositiveRate, "fraction", MetricDirection.LowerIsBetter),
            ]);
    }

    private static string NotMeasuredWhy(string defence) => defence switch
    {
        _ when defence.StartsWith("adversarial training", StringComparison.Ordinal) =>
            "needs retraining: train with `bulwark train --adversarial pgd` (or TRADES), scan the new model and compare with `bulwark history diff`",
        _ when defence.StartsWith("randomised", StringComparison.Ordinal) =>
            "certification takes thousands of noisy queries per sample: run `bulwark certify` on the model",
        _ => "not measured for this kind of data",
    };

    private static ChartSeries Series(string label, IReadOnlyList<RobustnessPoint> curve) =>
        new(label, curve.Select(p => (double)(p.Epsilon ?? 0)).ToArray(), curve.Select(p => p.RobustAccuracy).ToArray());

    private static string Format(float v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    private sealed class Progress(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
