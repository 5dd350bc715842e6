using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bulwark.Assessment;
using Bulwark.Assessment.Reports;
using Bulwark.Threats;
using NJsonSchema;

namespace Bulwark.Tests.Assessment.Reports;

public sealed class JsonReportTests
{
    private static readonly Dictionary<string, Action<JsonNode>> Mutations = new()
    {
        ["severity critical"] = d => T7(d)["severity"] = "critical",
        ["assessed without severity"] = d => T7(d)["severity"] = null,
        ["threat without id"] = d => T7(d)["threat"]!.AsObject().Remove("id"),
        ["threat id T16"] = d => T7(d)["threat"]!["id"] = "T16",
        ["metric value as text"] = d => T7(d)["metrics"]![0]!["value"] = "0.91",
        ["evidence of unknown type"] = d => T7(d)["evidence"]![0]!["type"] = "video",
        ["unknown property"] = d => d["summary"]!["critical"] = 0,
        ["not assessed without reason"] = d => d["targets"]![0]!["findings"]![0]!["reason"] = null,
    };

    [Fact]
    public void Sample_matches_its_snapshot_on_every_run_and_in_every_culture()
    {
        byte[] json = ReportAssert.Deterministic(() => Bytes(SampleReports.Full()));
        ReportAssert.MatchesSnapshot("sample.json", json);
    }

    [Fact]
    public void Render_is_what_Write_writes() =>
        Assert.Equal(Bytes(SampleReports.Full()), Encoding.UTF8.GetBytes(JsonReport.Render(SampleReports.Full())));

    [Fact]
    public async Task Sample_validates_against_the_schema()
    {
        var schema = await Schema();
        var errors = schema.Validate(JsonReport.Render(SampleReports.Full()));
        Assert.True(errors.Count == 0, "schema errors: " + string.Join("; ", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("severity critical")]
    [InlineData("assessed without severity")]
    [InlineData("threat without id")]
    [InlineData("threat id T16")]
    [InlineData("metric value as text")]
    [InlineData("evidence of unknown type")]
    [InlineData("unknown property")]
    [InlineData("not assessed without reason")]
    public async Task Schema_rejects_a_broken_document(string mutation)
    {
        var schema = await Schema();
        var document = JsonNode.Parse(JsonReport.Render(SampleReports.Full()))!;
        Mutations[mutation](document);
        Assert.NotEmpty(schema.Validate(document.ToJsonString()));
    }

    [Fact]
    public void Every_threat_appears_for_every_target_with_its_words()
    {
        using var doc = JsonDocument.Parse(JsonReport.Render(SampleReports.Full()));
        var root = doc.RootElement;
        Assert.Equal(JsonReport.SchemaVersion, root.GetProperty("schema_version").GetString());
        Assert.Equal("2026-11-23T12:00:00Z", root.GetProperty("scan").GetProperty("started_utc").GetString());
        Assert.Equal("high", root.GetProperty("summary").GetProperty("highest_severity").GetString());
        foreach (var target in root.GetProperty("targets").EnumerateArray())
        {
            var ids = target.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("threat").GetProperty("id").GetString());
            Assert.Equal(ThreatCatalog.All.Select(t => t.Id.ToString()), ids);
        }
        var findings = root.GetProperty("targets")[0].GetProperty("findings");
        var t7 = findings[6];
        Assert.Equal("high", t7.GetProperty("severity").GetString());
        Assert.Equal("higher_is_better", t7.GetProperty("metrics")[0].GetProperty("direction").GetString());
        Assert.Equal(JsonValueKind.Null, t7.GetProperty("metrics")[2].GetProperty("value").ValueKind);
        Assert.Equal(["chart", "images"], t7.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(16, t7.GetProperty("evidence")[1].GetProperty("examples")[0].GetProperty("original").GetArrayLength());
        Assert.Equal("error", findings[7].GetProperty("status").GetString());
        Assert.Equal("not_assessed", findings[0].GetProperty("status").GetString());
        var t15 = findings[14].GetProperty("threat").GetProperty("taxonomy");
        Assert.Equal(["causative", "exploratory"], t15.GetProperty("influence").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, findings[9].GetProperty("threat").GetProperty("taxonomy").GetProperty("influence").GetArrayLength());
    }

    [Fact]
    public void Undefined_numbers_are_written_as_null()
    {
        var report = SampleReports.Full();
        var target = report.Targets[0];
        var broken = target.Findings[6] with
        {
            Evidence = [new ChartEvidence("curve", "ε", "accuracy", [new ChartSeries("s", [0, 1], [double.NaN, double.PositiveInfinity])])],
        };
        report = report with { Targets = [target with { Findings = [.. target.Findings.Select(f => f == target.Findings[6] ? broken : f)] }] };

        using var doc = JsonDocument.Parse(JsonReport.Render(report));
        var y = doc.RootElement.GetProperty("targets")[0].GetProperty("findings")[6].GetProperty("evidence")[0].GetProperty("series")[0].GetProperty("y");
        Assert.All(y.EnumerateArray(), v => Assert.Equal(JsonValueKind.Null, v.ValueKind));
    }

    private static JsonNode T7(JsonNode document) => document["targets"]![0]!["findings"]![6]!;

    private static byte[] Bytes(ScanReport report)
    {
        using var output = new MemoryStream();
        JsonReport.Write(report, output);
        return output.ToArray();
    }

    private static Task<JsonSchema> Schema() => JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "report.schema.json"));
}
