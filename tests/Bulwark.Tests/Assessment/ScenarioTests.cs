using Bulwark.Assessment;
using Bulwark.Data;
using Bulwark.Tests.Attacks;
using Bulwark.Tests.Defenses;
using Bulwark.Tests.Defenses.Integrity;
using Bulwark.Tests.Onnx;
using Bulwark.Threats;

namespace Bulwark.Tests.Assessment;

/// <summary>The T6, T7 and T8 scenarios end to end on small real models, at the quick budget.</summary>
public sealed class ScenarioTests
{
    private static readonly ScanOptions Quick = new() { Budget = ScanBudget.Quick, Seed = 3 };

    private static Finding Only(ScanReport report, ThreatId threat) =>
        Assert.Single(Assert.Single(report.Targets).Findings, f => f.Threat.Id == threat && f.Status != FindingStatus.NotAssessed);

    [Fact]
    public void T7_rates_the_adversarially_trained_model_less_severe_than_the_standard_one()
    {
        // The reference budget is the one the robust model was trained for.
        var options = Quick with { Threats = [ThreatId.T7], Epsilon = DefendedModels.TrainEpsilon };
        var standard = Only(Scanner.Run([new ScanTarget { Name = "standard", Model = TrainedModels.DigitsCnn(), Data = TrainedModels.Digits.Test }], options), ThreatId.T7);
        var robust = Only(Scanner.Run([new ScanTarget { Name = "robust", Model = DefendedModels.AdversariallyTrained, Data = TrainedModels.Digits.Test }], options), ThreatId.T7);

        Assert.True(standard.Severity >= Severity.Medium, standard.SeverityRule);
        Assert.True(robust.Severity <= Severity.Low, robust.SeverityRule);
        Assert.True(robust.Severity < standard.Severity, $"robust: {robust.SeverityRule}; standard: {standard.SeverityRule}");
        Assert.True(robust.Metric("robust_accuracy")!.Value > standard.Metric("robust_accuracy")!.Value + 0.3);
        Assert.InRange(standard.Metric("clean_accuracy")!.Value!.Value, 0.9, 1.0);

        var chart = Assert.IsType<ChartEvidence>(standard.Evidence[0]);
        var pgd = chart.Series[0];
        Assert.Equal([0, 0.0375, 0.075, 0.15, 0.3], pgd.X.Select(x => Math.Round(x, 4)));
        Assert.Equal(standard.Metric("clean_accuracy")!.Value!.Value, pgd.Y[0], 6);
        var images = Assert.Single(standard.Evidence.OfType<ImageExamplesEvidence>());
        Assert.Equal((1, 8, 8), (images.Channels, images.Height, images.Width));
        Assert.All(images.Examples, e => Assert.NotEqual(e.TrueClass, e.AdversarialClass));
        Assert.All(images.Examples, e => Assert.InRange(e.Original.Zip(e.Adversarial, (a, b) => Math.Abs(a - b)).Max(), 1e-3f, DefendedModels.TrainEpsilon + 1e-5f));

        var squeezing = standard.Defences.Single(d => d.Name.StartsWith("input preprocessing", StringComparison.Ordinal));
        Assert.True(squeezing.Measured);
        Assert.InRange(squeezing.Metrics.Single(m => m.Key == "clean_accuracy").Value!.Value, 0.8, 1.0);
        var detection = standard.Defences.Single(d => d.Name == "adversarial-input detection");
        Assert.InRange(detection.Metrics.Single(m => m.Key == "false_positive_rate").Value!.Value, 0, 0.1);
        Assert.False(standard.Defences.Single(d => d.Name == "adversarial training").Measured);
    }

    [Fact]
    public void T8_square_attack_fools_the_standard_model_and_the_query_curve_only_rises()
    {
        var report = Scanner.Run([new ScanTarget { Name = "standard", Model = TrainedModels.DigitsCnn(), Data = TrainedModels.Digits.Test }], Quick with { Threats = [ThreatId.T8] });
        var finding = Only(report, ThreatId.T8);
        double success = finding.Metric("success_rate")!.Value!.Value;
        Assert.InRange(success, 0.2, 1.0);
        var curve = Assert.IsType<ChartEvidence>(finding.Evidence[0]).Series[0];
        Assert.Equal(0, curve.Y[0]);
        Assert.Equal(success, curve.Y[^1], 6);
        Assert.True(curve.Y.Zip(curve.Y.Skip(1)).All(p => p.Second >= p.First));
        Assert.Equal(ScanBudget.Quick.MaxQueries, curve.X[^1]);
        var labelsOnly = finding.Defences.Single(d => d.Name == "output hardening");
        Assert.True(labelsOnly.Measured);
        Assert.InRange(labelsOnly.Metrics[0].Value!.Value, 0, 1);
    }

    [Fact]
    public void T8_good_words_get_spam_past_the_logistic_filter()
    {
        var spam = SpamFilters.Spam;
        var target = new ScanTarget
        {
            Name = "spam",
            Model = SpamFilters.Logistic,
            Text = new TextScanData(SpamFilters.Vectorizer, spam.TestTexts!, spam.TrainTexts!),
        };
        var plan = Scanner.Plan([target]);
        Assert.Equal(["good-word"], plan.Runs.Select(r => r.Scenario.Name));
        Assert.Contains("text", plan.NotAssessed[(0, ThreatId.T7)], StringComparison.Ordinal);

        var finding = Only(Scanner.Run(plan), ThreatId.T8);
        Assert.Equal("good-word", finding.Scenario);
        double success = finding.Metric("success_rate")!.Value!.Value;
        Assert.InRange(success, 0.5, 1.0);
        Assert.InRange(finding.Metric("catch_rate")!.Value!.Value, 0.8, 1.0);
        Assert.Equal(Severity.High, finding.Severity);
        var examples = Assert.Single(finding.Evidence.OfType<TextExamplesEvidence>()).Examples;
        Assert.NotEmpty(examples);
        Assert.All(examples, e => Assert.True(e.ScoreBefore >= 0.5 && e.ScoreAfter < 0.5 && e.AddedWords.Count > 0));
        var labelsOnly = finding.Defences.Single(d => d.Name == "output hardening");
        Assert.True(labelsOnly.Metrics.Single(m => m.Key == "success_rate").Value <= success + 1e-9);
    }

    [Fact]
    public void T6_reports_the_model_file_rules_at_their_severity()
    {
        using var files = new OnnxTestFiles();
        var model = TestModels.Clean();
        model.Graph.Initializer.Add(TestModels.External("w", [4], ("location", "/etc/passwd")));
        string hostile = TestModels.Write(model, files.Folder, "hostile.onnx");
        string clean = TestModels.Write(TestModels.Clean(), files.Folder, "clean.onnx");
        ScanTarget Target(string path) => new() { Name = Path.GetFileName(path), Model = TrainedModels.DigitsCnn(), ModelPath = path, Data = TrainedModels.Digits.Test };
        var report = Scanner.Run([Target(hostile), Target(clean)], Quick with { Threats = [ThreatId.T6] });

        var bad = report.Targets[0].Findings.Single(f => f.Threat.Id == ThreatId.T6);
        Assert.Equal(Severity.High, bad.Severity);
        Assert.Equal(1, bad.Metric("findings_high")!.Value);
        var table = Assert.IsType<TableEvidence>(Assert.Single(bad.Evidence));
        Assert.Contains(table.Rows, r => r[1] == "external-data-escape");
        Assert.Matches("^[0-9a-f]{64}$", report.Targets[0].ModelSha256!);

        var good = report.Targets[1].Findings.Single(f => f.Threat.Id == ThreatId.T6);
        Assert.Equal(Severity.Info, good.Severity);
        Assert.Empty(good.Evidence);
    }

    [Fact]
    public void Same_seed_same_numbers()
    {
        ScanReport Run() => Scanner.Run([new ScanTarget { Name = "d", Model = TrainedModels.DigitsCnn(), Data = TrainedModels.Digits.Test.Take(60) }],
            Quick with { Threats = [ThreatId.T7, ThreatId.T8] });
        var a = Run().AllFindings.SelectMany(p => p.Finding.Metrics).Select(m => (m.Key, m.Value)).ToArray();
        var b = Run().AllFindings.SelectMany(p => p.Finding.Metrics).Select(m => (m.Key, m.Value)).ToArray();
        Assert.Equal(a, b);
        Assert.NotEmpty(a);
    }
}
