using System.Text;
using System.Text.Json;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;
using Bulwark.Threats;
using Xunit.Abstractions;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class SarifReportTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("sample")]
    [InlineData("absolute paths and endpoints")]
    public void Passes_Microsofts_SARIF_validator_without_errors(string report)
    {
        var log = SarifValidator.Validate(SarifReport.Render(report == "sample" ? SampleReports.Full() : ElsewhereModels()));
        foreach (var problem in log.Results.Concat(log.Notifications))
            output.WriteLine(problem.ToString());

        var problems = log.Results.Where(r => r.Level == "error").Select(r => r.ToString()).ToArray();
        Assert.True(problems.Length == 0, "validator errors:\n" + string.Join("\n", problems));
        var toolErrors = log.Notifications.Where(n => n.Level == "error").Select(n => n.ToString()).ToArray();
        Assert.True(toolErrors.Length == 0, "the validator itself failed:\n" + string.Join("\n", toolErrors));
    }

    [Fact]
    public void Has_one_rule_per_threat_and_one_result_per_finding()
    {
        var report = SampleReports.Full();
        using var doc = JsonDocument.Parse(SarifReport.Render(report));
        var run = doc.RootElement.GetProperty("runs").EnumerateArray().Single();

        var rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(1, 15).Select(i => $"T{i}"), rules.Select(r => r.GetProperty("id").GetString()));
        Assert.Equal("EvasionWhiteBox", rules[6].GetProperty("name").GetString());
        Assert.Equal("https://github.com/bulwark-ml/bulwark/blob/main/docs/threats/T7.md", rules[6].GetProperty("helpUri").GetString());

        var results = run.GetProperty("results").EnumerateArray().ToArray();
        var findings = report.AllFindings.ToArray();
        Assert.Equal(findings.Length, results.Length);
        for (int i = 0; i < results.Length; i++)
        {
            string id = findings[i].Finding.Threat.Id.ToString();
            Assert.Equal(id, results[i].GetProperty("ruleId").GetString());
            Assert.Equal(id, rules[results[i].GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
            Assert.Equal(findings[i].Target.Name, results[i].GetProperty("properties").GetProperty("target").GetString());
        }
        Assert.Equal($"bulwark/{report.Id}", run.GetProperty("automationDetails").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData(0, 6, "fail", "error")]
    [InlineData(1, 7, "fail", "warning")]
    [InlineData(0, 5, "fail", "note")]
    [InlineData(0, 7, "open", "none")]
    [InlineData(0, 0, "notApplicable", "none")]
    public void Kind_and_level_follow_status_and_severity(int target, int finding, string kind, string level)
    {
        var f = SampleReports.Full().Targets[target].Findings[finding];
        Assert.Equal((kind, level), SarifReport.KindAndLevel(f));
    }

    [Fact]
    public void Info_findings_are_informational() =>
        Assert.Equal(("informational", "none"), SarifReport.KindAndLevel(SampleReports.Full().Targets[0].Findings[6] with { Severity = Severity.Info }));

    [Fact]
    public void Results_point_at_the_model_file_or_name_the_target()
    {
        using var doc = JsonDocument.Parse(SarifReport.Render(SampleReports.Full()));
        var results = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray().ToArray();
        var image = results[6].GetProperty("locations")[0];
        Assert.Equal("models/fmnist-cnn.onnx", image.GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString());
        var text = results[15 + 7].GetProperty("locations")[0];
        Assert.False(text.TryGetProperty("physicalLocation", out _));
        Assert.Equal("spam-filter", text.GetProperty("logicalLocations")[0].GetProperty("name").GetString());
    }

    [Fact]
    public void Absolute_paths_become_file_uris_and_endpoints_stay_as_given()
    {
        using var doc = JsonDocument.Parse(SarifReport.Render(ElsewhereModels()));
        string[] uris = doc.RootElement.GetProperty("runs")[0].GetProperty("results").EnumerateArray()
            .Select(r => r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString()!)
            .Distinct().ToArray();

        Assert.Equal(3, uris.Length);
        Assert.StartsWith("file:///", uris[0], StringComparison.Ordinal);
        Assert.EndsWith("/my%20model.onnx", uris[0], StringComparison.Ordinal);
        Assert.Equal("models/my%20model.onnx", uris[1]);
        Assert.Equal("http://localhost:8080/v2/models/spam", uris[2]);
    }

    [Fact]
    public void Fingerprints_are_stable_across_scans_and_distinct_within_one()
    {
        var report = SampleReports.Full();
        var later = report with { StartedUtc = report.StartedUtc.AddDays(1), Seed = 8 };
        string[] Prints(ScanReport r) => r.AllFindings.Select(p => SarifReport.Fingerprint(p.Target, p.Finding)).ToArray();

        Assert.Equal(Prints(report), Prints(later));
        Assert.Equal(Prints(report).Length, Prints(report).Distinct().Count());
    }

    [Fact]
    public void Two_targets_sharing_a_model_file_but_not_their_data_get_different_fingerprints()
    {
        var target = SampleReports.Full().Targets[0];
        var sameFileOtherData = target with { Name = target.Name + "-b", DataName = target.DataName + "-other" };
        var finding = target.Findings[0];
        Assert.Equal(target.ModelKey, sameFileOtherData.ModelKey);
        Assert.NotEqual(SarifReport.Fingerprint(target, finding), SarifReport.Fingerprint(sameFileOtherData, finding));
        Assert.Equal(SarifReport.Fingerprint(target, finding), SarifReport.Fingerprint(target with { Name = "renamed" }, finding));
    }

    [Fact]
    public void Failed_scenarios_are_also_tool_notifications()
    {
        using var doc = JsonDocument.Parse(SarifReport.Render(SampleReports.Full()));
        var invocation = doc.RootElement.GetProperty("runs")[0].GetProperty("invocations").EnumerateArray().Single();
        Assert.True(invocation.GetProperty("executionSuccessful").GetBoolean());
        var notification = invocation.GetProperty("toolExecutionNotifications").EnumerateArray().Single();
        Assert.Equal("error", notification.GetProperty("level").GetString());
        Assert.Equal("T8", notification.GetProperty("associatedRule").GetProperty("id").GetString());
        Assert.Contains("simulated failure", notification.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_matches_its_snapshot_on_every_run_and_in_every_culture()
    {
        byte[] sarif = ReportAssert.Deterministic(() => Encoding.UTF8.GetBytes(SarifReport.Render(SampleReports.Full())));
        ReportAssert.MatchesSnapshot("sample.sarif", sarif);
    }

    [Fact]
    public void Rule_names_are_pascal_case() =>
        Assert.Equal(
            ["StealthyChannel", "LabelFlipping", "GradientBasedPoisoning", "GradientDescentAttack", "BackdoorTrojan"],
            ThreatCatalog.All.Take(5).Select(SarifReport.RuleName));

    /// <summary>The sample with its image model at an absolute and then a relative path with a space, and its text model behind an endpoint.</summary>
    private static ScanReport ElsewhereModels()
    {
        var report = SampleReports.Full();
        var (image, text) = (report.Targets[0], report.Targets[1]);
        return report with
        {
            Targets =
            [
                image with { ModelPath = Path.Combine(Path.GetTempPath(), "my model.onnx") },
                image with { Name = "relative", ModelPath = "models/my model.onnx" },
                text with { Endpoint = "http://localhost:8080/v2/models/spam" },
            ],
        };
    }
}
