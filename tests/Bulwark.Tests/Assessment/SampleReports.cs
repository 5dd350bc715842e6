using Bulwark.Assessment;
using Bulwark.Data;
using Bulwark.Threats;

namespace Bulwark.Tests.Assessment;

/// <summary>
/// A hand-built scan report with every kind of finding and evidence (assessed at each severity,
/// not assessed, error; chart, image examples, text examples, table; measured and unmeasured
/// defences; a null metric), for the report writers' tests. Fixed numbers, a fixed clock.
/// </summary>
internal static class SampleReports
{
    public static DateTimeOffset Started { get; } = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    public static ScanReport Full()
    {
        var image = new TargetReport
        {
            Name = "fmnist-cnn",
            ModelPath = "models/fmnist-cnn.onnx",
            ModelSha256 = new string('a', 64),
            Access = ModelAccess.WhiteBox,
            Modality = FeatureKind.Image,
            DataName = "fashion-mnist test",
            Samples = 200,
            ClassCount = 10,
            InputShape = [1, 4, 4],
            Findings = ThreatCatalog.All.Select(t => t.Id switch
            {
                ThreatId.T6 => ModelFile(t),
                ThreatId.T7 => WhiteBox(t),
                ThreatId.T8 => new Finding
                {
                    Threat = t,
                    Status = FindingStatus.Error,
                    Scenario = "square-attack",
                    Title = "the scenario failed",
                    Reason = "InvalidOperationException: simulated failure",
                    Duration = TimeSpan.FromMilliseconds(12),
                },
                _ => Finding.NotAssessed(t, t.AssessedBy.Description),
            }).ToArray(),
        };
        var text = new TargetReport
        {
            Name = "spam-filter",
            Access = ModelAccess.WhiteBox,
            Modality = FeatureKind.Text,
            DataName = "spam test",
            Samples = 300,
            ClassCount = 2,
            InputShape = [5000],
            Findings = ThreatCatalog.All.Select(t => t.Id == ThreatId.T8 ? GoodWord(t) : Finding.NotAssessed(t, "not assessed for this target: a text model")).ToArray(),
        };
        return new ScanReport
        {
            ToolVersion = "0.1.0",
            StartedUtc = Started,
            Duration = TimeSpan.FromSeconds(42.5),
            Budget = "standard",
            Seed = 7,
            RequestedThreats = ThreatCatalog.All.Select(t => t.Id).ToArray(),
            Targets = [image, text],
        };
    }

    private static Finding ModelFile(Threat t) => new()
    {
        Threat = t,
        Status = FindingStatus.Assessed,
        Scenario = "model-file-scan",
        Title = "1 low-severity observation in the model file",
        Severity = Severity.Low,
        SeverityRule = "the highest severity the model-file rules raised: Low",
        Metrics = [new Metric("findings", "rules raised", 1, "count", MetricDirection.LowerIsBetter), new Metric("findings_high", "rules raised at High", 0, "count", MetricDirection.LowerIsBetter), new Metric("findings_low", "rules raised at Low", 1, "count", MetricDirection.LowerIsBetter)],
        Evidence = [new TableEvidence("Model-file rules raised", ["severity", "rule", "what", "where"], [["Low", "BW-META", "producer \"<script>\" & odd", "model.producer_name"]])],
        Defences = [DefenceEffect.NotMeasured("model-file integrity (hash pinning, signatures)", "pin the SHA-256 with --expect-sha256")],
        Duration = TimeSpan.FromMilliseconds(30),
    };

    private static Finding WhiteBox(Threat t)
    {
        float[] Pixels(float shift) => Enumerable.Range(0, 16).Select(i => Math.Clamp(i / 15f + shift, 0f, 1f)).ToArray();
        return new Finding
        {
            Threat = t,
            Status = FindingStatus.Assessed,
            Scenario = "pgd-robustness",
            Title = "robust accuracy falls from 0.91 to 0.05 at ε = 0.1 (L∞)",
            Severity = Severity.High,
            SeverityRule = "robust accuracy at the reference budget is 5.5 % of clean accuracy (< 25 % → High)",
            Metrics =
            [
                new Metric("robust_accuracy", "robust accuracy at ε = 0.1 (L∞)", 0.05, "fraction", MetricDirection.HigherIsBetter),
                new Metric("clean_accuracy", "clean accuracy", 0.91, "fraction", MetricDirection.HigherIsBetter),
                new Metric("median_linf", "median L∞ of successful perturbations", null, "Linf", MetricDirection.HigherIsBetter),
            ],
            Evidence =
            [
                new ChartEvidence("Robust accuracy against ε (PGD, L∞)", "ε (L∞)", "robust accuracy",
                [
                    new ChartSeries("no defence", [0, 0.05, 0.1, 0.2], [0.91, 0.4, 0.05, 0]),
                    new ChartSeries("feature squeezing (BPDA)", [0, 0.05, 0.1, 0.2], [0.9, 0.5, 0.1, 0]),
                ]),
                new ImageExamplesEvidence("Original / adversarial / difference", 1, 4, 4, 0, 1, ["T-shirt", "Trouser"],
                [
                    new ImageExample(Pixels(0), Pixels(0.1f), 0, 1),
                    new ImageExample(Pixels(-0.2f), Pixels(-0.1f), 1, 0),
                ]),
            ],
            Defences =
            [
                new DefenceEffect("input preprocessing (feature squeezing, smoothing)", true,
                    "4-bit squeezing attacked through BPDA keeps 0.10 robust accuracy at ε = 0.1",
                    [new Metric("robust_accuracy", "robust accuracy at ε = 0.1 with squeezing", 0.1, "fraction", MetricDirection.HigherIsBetter)]),
                DefenceEffect.NotMeasured("adversarial training", "retrain with `bulwark train --adversarial pgd` and scan again"),
            ],
            Duration = TimeSpan.FromSeconds(20),
        };
    }

    private static Finding GoodWord(Threat t) => new()
    {
        Threat = t,
        Status = FindingStatus.Assessed,
        Scenario = "good-word",
        Title = "62 % of caught spam gets through with at most 100 added words",
        Severity = Severity.Medium,
        SeverityRule = "success rate 0.62 (≥ 0.5 → High, ≥ 0.2 → Medium)",
        Metrics =
        [
            new Metric("success_rate", "share of caught spam that evades", 0.62, "fraction", MetricDirection.LowerIsBetter),
            new Metric("median_words", "median words added (successes)", 23, "words", MetricDirection.HigherIsBetter),
        ],
        Evidence =
        [
            new ChartEvidence("Evasion against words added", "words added", "share evading", [new ChartSeries("Best-N", [0, 10, 50, 100], [0, 0.2, 0.5, 0.62])]),
            new TextExamplesEvidence("Messages before and after", [new TextExample("Buy <cheap> meds & \"win\" now", ["meeting", "thanks"], 0.97, 0.41, true)]),
        ],
        Defences = [DefenceEffect.NotMeasured("output hardening", "not built yet")],
        Duration = TimeSpan.FromSeconds(3),
    };
}
