using Bulwark.Assessment;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;
using Bulwark.Threats;

namespace Bulwark.Tests.Assessment;

public sealed class ScannerTests
{
    private static ScanTarget Digits(IClassifier model, string name = "digits-cnn") => new()
    {
        Name = name,
        Model = model,
        Data = TrainedModels.Digits.Test,
    };

    [Fact]
    public void Every_threat_appears_once_per_target_with_a_reason_when_not_assessed()
    {
        var report = Scanner.Run([Digits(TrainedModels.DigitsCnn())], new ScanOptions { Budget = ScanBudget.Quick, Threats = [ThreatId.T6] });
        var findings = Assert.Single(report.Targets).Findings;
        Assert.Equal(ThreatCatalog.All.Select(t => t.Id), findings.Select(f => f.Threat.Id));
        Assert.All(findings, f => Assert.Equal(FindingStatus.NotAssessed, f.Status));
        Assert.All(findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Reason)));
        Assert.All(findings, f => Assert.Null(f.Severity));
        Assert.Contains("needs the model file", findings.Single(f => f.Threat.Id == ThreatId.T6).Reason, StringComparison.Ordinal);
        Assert.StartsWith("not requested", findings.Single(f => f.Threat.Id == ThreatId.T7).Reason, StringComparison.Ordinal);
        Assert.Contains("not built yet", Scanner.Plan([Digits(TrainedModels.DigitsCnn())]).NotAssessed[(0, ThreatId.T5)], StringComparison.Ordinal);
    }

    [Fact]
    public void A_black_box_target_gets_black_box_scenarios_only()
    {
        var plan = Scanner.Plan([Digits(new LabelsAndScoresOnly(TrainedModels.DigitsCnn()))]);
        Assert.Equal(["square-attack"], plan.Runs.Select(r => r.Scenario.Name));
        Assert.Contains("no gradients", plan.NotAssessed[(0, ThreatId.T7)], StringComparison.Ordinal);
    }

    [Fact]
    public void A_failing_scenario_becomes_an_error_finding_and_the_others_still_run()
    {
        var options = new ScanOptions { Budget = ScanBudget.Quick, Scenarios = [new Throwing(), new Counting()], Threats = [ThreatId.T7, ThreatId.T8] };
        var report = Scanner.Run([Digits(TrainedModels.DigitsCnn(), "a"), Digits(TrainedModels.DigitsCnn(), "b")], options);
        foreach (var target in report.Targets)
        {
            var error = target.Findings.Single(f => f.Threat.Id == ThreatId.T7);
            Assert.Equal(FindingStatus.Error, error.Status);
            Assert.Equal("InvalidOperationException: boom", error.Reason);
            Assert.Equal("throwing", error.Scenario);
            var ok = target.Findings.Single(f => f.Threat.Id == ThreatId.T8);
            Assert.Equal(FindingStatus.Assessed, ok.Status);
            Assert.Equal(Severity.Low, ok.Severity);
        }
        Assert.Equal(2, report.Errors.Count());
        Assert.Equal(Severity.Low, report.Highest);
    }

    [Fact]
    public void Bad_targets_are_refused_before_anything_runs()
    {
        var cnn = TrainedModels.DigitsCnn();
        var wrongShape = Digits(new Uniform([1, 4, 4], 10));
        Assert.Contains("takes [1, 4, 4]", Assert.Throws<BulwarkInputException>(() => Scanner.Plan([wrongShape])).Message, StringComparison.Ordinal);
        var twoClasses = Digits(new Uniform([1, 8, 8], 2));
        Assert.Contains("10 classes but the model has 2", Assert.Throws<BulwarkInputException>(() => Scanner.Plan([twoClasses])).Message, StringComparison.Ordinal);
        Assert.Contains("two targets", Assert.Throws<BulwarkInputException>(() => Scanner.Plan([Digits(cnn), Digits(cnn)])).Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => ScanBudget.Parse("huge"));
    }

    [Fact]
    public void The_scan_id_is_fixed_by_its_inputs()
    {
        var clock = new FrozenClock(SampleReports.Started);
        var options = new ScanOptions { Budget = ScanBudget.Quick, Threats = [ThreatId.T1], Clock = clock };
        var a = Scanner.Run([Digits(TrainedModels.DigitsCnn())], options);
        var b = Scanner.Run([Digits(TrainedModels.DigitsCnn())], options);
        Assert.Equal(a.Id, b.Id);
        Assert.Equal(SampleReports.Started, a.StartedUtc);
        Assert.Equal(TimeSpan.Zero, a.Duration);
        Assert.NotEqual(a.Id, Scanner.Run([Digits(TrainedModels.DigitsCnn())], options with { Seed = 1 }).Id);
    }

    /// <summary>The digits CNN seen through predictions only.</summary>
    private sealed class LabelsAndScoresOnly(IClassifier inner) : IClassifier
    {
        public IReadOnlyList<int> InputShape => inner.InputShape;

        public int ClassCount => inner.ClassCount;

        public InputBounds Bounds => inner.Bounds;

        public Tensor PredictProba(Tensor batch) => inner.PredictProba(batch);
    }

    /// <summary>A model that declares a shape and class count and answers uniformly.</summary>
    private sealed class Uniform(int[] shape, int classes) : IClassifier
    {
        public IReadOnlyList<int> InputShape => shape;

        public int ClassCount => classes;

        public InputBounds Bounds => InputBounds.Unit;

        public Tensor PredictProba(Tensor batch) => Tensor.Full(1f / classes, batch.Shape[0], classes);
    }

    private sealed class Throwing : IScenario
    {
        public ThreatId Threat => ThreatId.T7;

        public string Name => "throwing";

        public string? Unfit(ScanTarget target) => null;

        public Finding Run(ScanTarget target, ScenarioContext context) => throw new InvalidOperationException("boom");
    }

    private sealed class Counting : IScenario
    {
        public ThreatId Threat => ThreatId.T8;

        public string Name => "counting";

        public string? Unfit(ScanTarget target) => null;

        public Finding Run(ScanTarget target, ScenarioContext context) => new()
        {
            Threat = ThreatCatalog.Get(ThreatId.T8),
            Status = FindingStatus.Assessed,
            Title = $"{target.Data!.Count} samples",
            Severity = Severity.Low,
        };
    }
}
