using Bulwark.Assessment;
using Bulwark.Assessment.History;
using Bulwark.Threats;

namespace Bulwark.Tests.Assessment.History;

public class ScanComparerTests
{
    [Fact]
    public void A_retrained_model_is_paired_by_target_name_and_its_findings_compared()
    {
        var before = SampleReports.Full();
        var after = HistorySamples.Rescanned(before);
        after = after with { Targets = [after.Targets[0] with { ModelSha256 = new string('b', 64) }, after.Targets[1]] };

        var changes = ScanComparer.Compare(before, after);
        var model = Assert.Single(changes, c => c.Subject == "model");
        Assert.Equal(ChangeKind.Changed, model.Kind);
        Assert.Equal("sha256:" + new string('b', 64), model.After);
        Assert.Equal("another model: sha256:aaaaaaaaaaaa… → sha256:bbbbbbbbbbbb…", model.Text);
        Assert.Equal(ChangeKind.Better, Assert.Single(changes, c => c.Subject == "robust_accuracy").Kind);
    }

    [Fact]
    public void Targets_findings_and_metrics_on_one_side_only_are_new_or_gone()
    {
        var before = SampleReports.Full();
        var image = before.Targets[0];
        var t7 = image.Findings.Single(f => f.Threat.Id == ThreatId.T7);
        var changedT7 = t7 with
        {
            Metrics =
            [
                new Metric("clean_accuracy", "clean accuracy", 0.91, "fraction", MetricDirection.HigherIsBetter),
                new Metric("median_linf", "median L∞ of successful perturbations", 0.08, "Linf", MetricDirection.HigherIsBetter),
                new Metric("queries", "queries used", 1200, "queries"),
            ],
        };
        var t6 = image.Findings.Single(f => f.Threat.Id == ThreatId.T6);
        var failedT6 = t6 with { Status = FindingStatus.Error, Severity = null, Metrics = [] };
        var findings = image.Findings.Where(f => f.Threat.Id != ThreatId.T8).Select(f => f == t7 ? changedT7 : f == t6 ? failedT6 : f).ToArray();
        var newcomer = image with { Name = "tabular", ModelSha256 = null, Findings = [] };
        var after = before with { Targets = [image with { Findings = findings }, newcomer] };

        var changes = ScanComparer.Compare(before, after);
        Change Of(string subject, ThreatId? threat = null) => Assert.Single(changes, c => c.Subject == subject && (threat is null || c.Threat == threat));

        Assert.Equal(ChangeKind.Gone, Of("robust_accuracy").Kind);
        Assert.Equal("robust accuracy at ε = 0.1 (L∞): no longer measured (was 0.05)", Of("robust_accuracy").Text);
        Assert.Equal(ChangeKind.New, Of("median_linf").Kind);
        Assert.Equal("median L∞ of successful perturbations: now 0.08 (undefined before)", Of("median_linf").Text);
        Assert.Equal(ChangeKind.New, Of("queries").Kind);
        Assert.Equal(ChangeKind.Unchanged, Of("clean_accuracy").Kind);

        Assert.Equal((ChangeKind.Worse, "assessed", "error"), (Of("status", ThreatId.T6).Kind, Of("status", ThreatId.T6).Before, Of("status", ThreatId.T6).After));
        Assert.Equal(ChangeKind.Gone, Of("severity", ThreatId.T6).Kind);
        Assert.Equal(ChangeKind.Gone, Of("findings_low").Kind);
        Assert.Equal(ChangeKind.Gone, Of("finding", ThreatId.T8).Kind);
        Assert.Equal("finding no longer reported: the scenario failed", Of("finding", ThreatId.T8).Text);

        var gone = Assert.Single(changes, c => c.Subject == "target" && c.Kind == ChangeKind.Gone);
        Assert.Equal("spam-filter", gone.Target);
        var added = Assert.Single(changes, c => c.Subject == "target" && c.Kind == ChangeKind.New);
        Assert.Equal(("tabular", "name:tabular"), (added.Target, added.After));
        Assert.Same(gone, changes[^1]);
    }

    [Fact]
    public void Metric_direction_decides_better_or_worse_and_units_stay()
    {
        var before = Report(
            new Metric("up", "higher is better", 10, "queries", MetricDirection.HigherIsBetter),
            new Metric("down", "lower is better", 3, "count", MetricDirection.LowerIsBetter),
            new Metric("neutral", "a setting", 0.5, "L2"),
            new Metric("unit", "changes unit", 1, "L2"));
        var after = Report(
            new Metric("up", "higher is better", 4, "queries", MetricDirection.HigherIsBetter),
            new Metric("down", "lower is better", 1, "count", MetricDirection.LowerIsBetter),
            new Metric("neutral", "a setting", 0.75, "L2"),
            new Metric("unit", "changes unit", 1, "Linf"));

        var changes = ScanComparer.Compare(before, after).ToDictionary(c => c.Subject);
        Assert.Equal((ChangeKind.Worse, -6.0, "queries"), (changes["up"].Kind, changes["up"].Delta!.Value, changes["up"].Unit));
        Assert.Equal("higher is better dropped 6 queries (10 → 4)", changes["up"].Text);
        Assert.Equal(ChangeKind.Better, changes["down"].Kind);
        Assert.Equal("lower is better dropped 2 (3 → 1)", changes["down"].Text);
        Assert.Equal(ChangeKind.Changed, changes["neutral"].Kind);
        Assert.Equal("a setting rose 0.25 L2 (0.5 → 0.75)", changes["neutral"].Text);
        Assert.Equal(ChangeKind.Changed, changes["unit"].Kind);
        Assert.Null(changes["unit"].Delta);
    }

    [Fact]
    public void Pairing_follows_the_keys_in_order_then_lists_what_is_left()
    {
        string[] before = ["a1", "b1", "c1"];
        string[] after = ["x2", "b2", "a2"];
        var pairs = ScanComparer.Pair(before, after, s => s[..1]);
        Assert.Equal(new (string?, string?)[] { (null, "x2"), ("b1", "b2"), ("a1", "a2"), ("c1", null) }, pairs);
    }

    private static ScanReport Report(params Metric[] metrics)
    {
        var full = SampleReports.Full();
        var finding = new Finding { Threat = ThreatCatalog.Get(ThreatId.T7), Status = FindingStatus.Assessed, Scenario = "s", Title = "t", Metrics = metrics };
        return full with { Targets = [full.Targets[1] with { Findings = [finding] }] };
    }
}
