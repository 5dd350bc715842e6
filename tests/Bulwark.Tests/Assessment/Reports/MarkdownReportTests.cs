using System.Text;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class MarkdownReportTests
{
    [Fact]
    public void Sample_matches_its_snapshot_on_every_run_and_in_every_culture()
    {
        byte[] markdown = ReportAssert.Deterministic(() => Encoding.UTF8.GetBytes(MarkdownReport.Render(SampleReports.Full())));
        ReportAssert.MatchesSnapshot("sample.md", markdown);
    }

    [Fact]
    public void Risk_table_has_a_row_for_the_high_white_box_finding()
    {
        string markdown = MarkdownReport.Render(SampleReports.Full());
        Assert.Contains(
            "| fmnist-cnn | T7 | Evasion, white-box | **High** | robust accuracy at ε = 0.1 (L∞): 5 % | robust accuracy falls from 0.91 to 0.05 at ε = 0.1 (L∞) |\n",
            markdown, StringComparison.Ordinal);
        Assert.Contains("| spam-filter | T8 | Evasion, black-box | Medium | share of caught spam that evades: 62 % |", markdown, StringComparison.Ordinal);
        Assert.Contains("| fmnist-cnn | T8 | Evasion, black-box | error | — | the scenario failed: InvalidOperationException: simulated failure |", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("| T1 |", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_the_report_cannot_break_a_cell()
    {
        var report = SampleReports.Full();
        var target = report.Targets[0];
        var t7 = target.Findings[6] with { Title = "accuracy | falls *a lot*\nto <b>0</b>" };
        report = report with { Targets = [target with { Findings = [.. target.Findings.Select(f => f.Threat.Id == t7.Threat.Id ? t7 : f)] }] };

        string row = MarkdownReport.Render(report).Split('\n').Single(l => l.StartsWith("| fmnist-cnn | T7 |", StringComparison.Ordinal));

        Assert.EndsWith(@"| accuracy \| falls \*a lot\* to \<b\>0\</b\> |", row, StringComparison.Ordinal);
        Assert.Equal(7, row.Replace(@"\|", "", StringComparison.Ordinal).Count(c => c == '|'));
    }

    [Fact]
    public void Lists_the_threats_not_assessed_per_target()
    {
        string markdown = MarkdownReport.Render(SampleReports.Full());
        Assert.Contains(
            "**Not assessed:** fmnist-cnn: T1, T2, T3, T4, T5, T9, T10, T11, T12, T13, T14, T15 · spam-filter: T1, T2, T3, T4, T5, T6, T7, T9, T10, T11, T12, T13, T14, T15\n",
            markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Recommends_the_unmeasured_defences_of_high_and_medium_findings_highest_first()
    {
        string markdown = MarkdownReport.Render(SampleReports.Full());
        int training = markdown.IndexOf("adversarial training", StringComparison.Ordinal);
        int hardening = markdown.IndexOf("output hardening", StringComparison.Ordinal);
        Assert.InRange(training, 0, hardening);
        Assert.DoesNotContain("hash pinning", markdown, StringComparison.Ordinal);
        Assert.DoesNotContain("4-bit squeezing", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void Headline_is_the_first_metric_with_a_value()
    {
        var report = SampleReports.Full();
        var valueless = report.Targets[0].Findings[6] with { Metrics = [new Metric("none", "undefined", null, "count"), new Metric("second", "second", 0.5, "fraction")] };
        Assert.Equal("second", MarkdownReport.Headline(valueless)?.Key);
        Assert.Equal("robust_accuracy", MarkdownReport.Headline(report.Targets[0].Findings[6])?.Key);
        Assert.Equal("success_rate", MarkdownReport.Headline(report.Targets[1].Findings[7])?.Key);
        Assert.Equal("findings", MarkdownReport.Headline(report.Targets[0].Findings[5])?.Key);
        Assert.Null(MarkdownReport.Headline(report.Targets[0].Findings[0]));
    }

    [Fact]
    public void Escape_backslashes_markup_and_flattens_lines() =>
        Assert.Equal(@"a\|b \*c\* \_d\_ \`e\` \[f\](g) \\ h \& i", MarkdownReport.Escape("a|b *c* _d_ `e` [f](g) \\\r\nh & i"));
}
