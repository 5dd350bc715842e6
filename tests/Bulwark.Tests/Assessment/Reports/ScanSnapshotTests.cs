using System.Globalization;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;
using Bulwark.Tests.Attacks;
using Bulwark.Threats;
using NJsonSchema;

namespace Bulwark.Tests.Assessment.Reports;

/// <summary>Reports of a real scan (digits CNN, quick budget, fixed seed and clock) are byte-identical run to run and in any culture.</summary>
public sealed class ScanSnapshotTests
{
    private static ScanReport Scan() => Scanner.Run(
        [new ScanTarget { Name = "digits-cnn", Model = TrainedModels.DigitsCnn(), Data = TrainedModels.Digits.Test.Take(80), DataName = "digits test" }],
        new ScanOptions { Budget = ScanBudget.Quick, Seed = 11, Threats = [ThreatId.T7, ThreatId.T8], Clock = new FrozenClock(SampleReports.Started) });

    [Fact]
    public void Json_and_markdown_of_a_real_scan_are_byte_identical_across_runs_and_cultures()
    {
        string json = JsonReport.Render(Scan());
        string markdown = MarkdownReport.Render(Scan());
        var saved = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            var german = Scan();
            Assert.Equal(json, JsonReport.Render(german));
            Assert.Equal(markdown, MarkdownReport.Render(german));
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = saved;
        }
        Assert.Contains("\"robust_accuracy\"", json, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"\d,\d+ %", markdown);
    }

    [Fact]
    public async Task A_real_scan_validates_against_the_schema_and_the_SARIF_validator()
    {
        var report = Scan();
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "report.schema.json"));
        var errors = schema.Validate(JsonReport.Render(report));
        Assert.True(errors.Count == 0, "schema errors: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));

        var log = SarifValidator.Validate(SarifReport.Render(report));
        var problems = log.Results.Concat(log.Notifications).Where(r => r.Level == "error").Select(r => r.ToString()).ToArray();
        Assert.True(problems.Length == 0, "validator errors:\n" + string.Join("\n", problems));
    }
}
