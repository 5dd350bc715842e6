using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Models;
using Bulwark.Threats;

namespace Bulwark.Assessment.Scenarios;

/// <summary>
/// T8 (black-box evasion) on image and tabular models, through predictions alone: the Square
/// Attack (Andriushchenko et al., ECCV 2020; score-based, L∞) at the same reference budget as T7
/// on correctly classified samples, with the budget's query limit. Severity: its success rate
/// (<see cref="SeverityRules.SuccessRate"/>). Defences measured: output hardening (the model
/// returns labels only), by running the decision-based HopSkipJump (Chen et al., S&amp;P 2020) with the
/// same query limit and counting the samples it fools within the budget; and randomisation,
/// by running the Square Attack against the model behind Gaussian input noise.
/// </summary>
public sealed class BlackBoxEvasionScenario : IScenario
{
    /// <summary>σ of the randomisation defence, as a share of the input range.</summary>
    public const float NoiseShare = 0.05f;

    /// <inheritdoc />
    public ThreatId Threat => ThreatId.T8;

    /// <inheritdoc />
    public string Name => "square-attack";

    /// <inheritdoc />
    public string? Unfit(ScanTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.Modality == FeatureKind.Text
            ? "a text model: pixel-style perturbations of word features are not realisable text (the good-word scenario covers it)"
            : null;
    }

    /// <inheritdoc />
    public Finding Run(ScanTarget target, ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        var budget = context.Budget;
        var model = target.Model;
        context.Report(0.05, "choosing correctly classified samples");
        var data = ScenarioInputs.CorrectlyClassified(model, target.Data!, budget.BlackBoxSamples, context.Seed);
        if (data.Count == 0)
        {
            return new Finding
            {
                Threat = ThreatCatalog.Get(ThreatId.T8),
                Status = FindingStatus.Assessed,
                Title = "the model classifies none of the sampled inputs correctly",
                Severity = Severity.High,
                SeverityRule = "no correctly classified sample to attack: the model fails without an attacker (→ High)",
            };
        }
        float epsilon = ScenarioInputs.ReferenceEpsilon(target, context);
        string budgetText = ScenarioInputs.Budget(epsilon);
        context.Report(0.1, $"Square Attack on {data.Count} samples, {budget.MaxQueries} queries each");
        var square = Square(epsilon, budget, context.Seed).Run(model, data.Features, data.Labels);
        var severity = SeverityRules.SuccessRate(square.SuccessRate, $"the Square Attack at {budgetText} with {budget.MaxQueries} queries");

        context.Report(0.45, "HopSkipJump with labels only (output hardening)");
        var hsj = new HopSkipJump(new HopSkipJumpOptions { Norm = NormKind.Linf, MaxQueries = budget.MaxQueries, Seed = context.Seed })
            .Run(model, data.Features, data.Labels);
        double labelOnly = Enumerable.Range(0, hsj.Success.Length).Count(i => hsj.Success[i] && hsj.Linf[i] <= epsilon * (1 + 1e-4f)) / (double)hsj.Success.Length;

        context.Report(0.75, "Square Attack through Gaussian input noise (randomisation)");
        float sigma = NoiseShare * model.Bounds.Range;
        var noisy = PreprocessedClassifier.Wrap(model, new RandomNoise(new RandomNoiseOptions { Sigma = sigma, Seed = context.Seed }));
        double noisyClean = RobustnessEvaluation.CleanAccuracy(noisy, data.Features, data.Labels);
        var noisySquare = Square(epsilon, budget, context.Seed).Run(noisy, data.Features, data.Labels);

        var defences = ThreatCatalog.Get(ThreatId.T8).Defences.Select(name => name switch
        {
            "output hardening" => new DefenceEffect(name, true,
                $"with labels only, the decision-based HopSkipJump fools {SeverityRules.Percent(labelOnly)} within {budgetText} and {budget.MaxQueries} queries (Square, which needs scores, fools {SeverityRules.Percent(square.SuccessRate)})",
                [Metric.Of("success_rate", $"label-only attack success at {budgetText}", labelOnly, "fraction", MetricDirection.LowerIsBetter)]),
            "randomisation" => new DefenceEffect(name, true,
                $"Gaussian input noise σ = {sigma.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)}: clean accuracy {SeverityRules.Percent(noisyClean)} on these samples; the Square Attack then succeeds on {SeverityRules.Percent(noisySquare.SuccessRate)} (a non-adaptive attacker: averaging repeated queries, as EOT does, would take much of that back)",
                [
                    Metric.Of("clean_accuracy", "clean accuracy with noise", noisyClean, "fraction", MetricDirection.HigherIsBetter),
                    Metric.Of("success_rate", $"Square success with noise at {budgetText}", noisySquare.SuccessRate, "fraction", MetricDirection.LowerIsBetter),
                ]),
            _ => DefenceEffect.NotMeasured(name, "query monitoring belongs to the runtime guard, not built yet; the query counts here are what it would see"),
        }).ToArray();

        context.Report(0.95, "evidence");
        var evidence = new List<Evidence>
        {
            new ChartEvidence("Attack success against queries per sample", "queries per sample", "share of samples fooled",
                [QueryCurve($"Square Attack, {budgetText}", square, budget.MaxQueries), QueryCurve("Square Attack through input noise", noisySquare, budget.MaxQueries)]),
        };
        if (ScenarioInputs.Images(target, data, square, $"Original / adversarial / difference (Square Attack, {budgetText})") is { } images)
            evidence.Add(images);
        var queries = square.QueriesPerSample ?? [];
        return new Finding
        {
            Threat = ThreatCatalog.Get(ThreatId.T8),
            Status = FindingStatus.Assessed,
            Title = $"through predictions alone, the Square Attack fools {SeverityRules.Percent(square.SuccessRate)} of correctly classified samples at {budgetText}",
            Severity = severity.Severity,
            SeverityRule = severity.Rule,
            Metrics =
            [
                Metric.Of("success_rate", $"Square Attack success at {budgetText}", square.SuccessRate, "fraction", MetricDirection.LowerIsBetter),
                Metric.Of("median_queries", "median queries of a success", square.QueriesPerSample is null ? double.NaN : square.MedianOverSuccesses(queries.Select(q => (float)q).ToArray()), "queries", MetricDirection.HigherIsBetter),
                Metric.Of("queries", "queries made", square.Queries, "queries"),
                Metric.Of("max_queries", "query limit per sample", budget.MaxQueries, "queries"),
                Metric.Of("samples", "samples attacked", data.Count, "count"),
                Metric.Of("reference_epsilon", "budget ε (L∞)", epsilon, "Linf"),
            ],
            Evidence = evidence,
            Defences = defences,
        };
    }

    private static SquareAttack Square(float epsilon, ScanBudget budget, ulong seed) =>
        new(new SquareAttackOptions { Epsilon = epsilon, Norm = NormKind.Linf, MaxQueries = budget.MaxQueries, Seed = seed });

    /// <summary>The share of samples fooled within q queries, for q from 0 to the limit.</summary>
    private static ChartSeries QueryCurve(string label, AttackResult result, int maxQueries)
    {
        int n = result.Success.Length;
        var perSample = result.QueriesPerSample ?? Enumerable.Repeat((long)maxQueries, n).ToArray();
        var x = Enumerable.Range(0, 21).Select(k => Math.Round(maxQueries * k / 20.0)).ToArray();
        var y = x.Select(q => Enumerable.Range(0, n).Count(i => result.Success[i] && perSample[i] <= q) / (double)Math.Max(1, n)).ToArray();
        return new ChartSeries(label, x, y);
    }
}
