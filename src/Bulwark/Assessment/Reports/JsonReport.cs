using System.Text.Json;
using Bulwark.Threats;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// The report a machine reads: every setting, finding, metric, piece of evidence and defence of a
/// <see cref="ScanReport"/> as one JSON document, described by docs/report.schema.json. Property
/// names are snake_case, enum values lower-case words, undefined numbers null. The same report
/// gives the same bytes on every machine and in every culture.
/// </summary>
public static class JsonReport
{
    /// <summary>
    /// The format's name and major version, written as <c>schema_version</c>. Adding a property
    /// keeps it; removing or renaming one, or changing what a value means, bumps it.
    /// </summary>
    public const string SchemaVersion = "bulwark-report/1";

    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/> as UTF-8 JSON.</summary>
    public static void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ReportJson.Write(output, w => WriteReport(w, report));
    }

    /// <summary><paramref name="report"/> as JSON text.</summary>
    public static string Render(ScanReport report) => ReportJson.Render(s => Write(report, s));

    private static void WriteReport(Utf8JsonWriter w, ScanReport report)
    {
        w.WriteStartObject();
        w.WriteString("schema_version", SchemaVersion);
        w.WriteStartObject("tool");
        w.WriteString("name", "Bulwark");
        w.WriteString("version", report.ToolVersion);
        w.WriteEndObject();

        w.WriteStartObject("scan");
        w.WriteString("id", report.Id);
        w.WriteString("started_utc", ReportJson.Timestamp(report.StartedUtc));
        w.WriteNumber("duration_seconds", report.Duration.TotalSeconds);
        w.WriteString("budget", report.Budget);
        w.WriteNumber("seed", report.Seed);
        ReportJson.StringArray(w, "requested_threats", report.RequestedThreats.Select(t => t.ToString()));
        w.WriteEndObject();

        WriteSummary(w, report);

        ReportJson.Objects(w, "targets", report.Targets, t => WriteTarget(w, t));
        w.WriteEndObject();
    }

    private static void WriteSummary(Utf8JsonWriter w, ScanReport report)
    {
        var findings = report.AllFindings.Select(p => p.Finding).ToArray();
        w.WriteStartObject("summary");
        w.WriteNumber("targets", report.Targets.Count);
        w.WriteNumber("findings", findings.Length);
        if (report.Highest is { } highest)
            w.WriteString("highest_severity", ReportWords.Of(highest));
        else
            w.WriteNull("highest_severity");
        w.WriteStartObject("by_severity");
        foreach (var severity in Enum.GetValues<Severity>().OrderDescending())
            w.WriteNumber(ReportWords.Of(severity), findings.Count(f => f.Severity == severity));
        w.WriteEndObject();
        w.WriteStartObject("by_status");
        foreach (var status in Enum.GetValues<FindingStatus>())
            w.WriteNumber(ReportWords.Of(status), findings.Count(f => f.Status == status));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteTarget(Utf8JsonWriter w, TargetReport target)
    {
        w.WriteString("name", target.Name);
        w.WriteString("model_key", target.ModelKey);
        w.WriteString("model_path", target.ModelPath);
        w.WriteString("endpoint", target.Endpoint);
        w.WriteString("model_sha256", target.ModelSha256);
        w.WriteString("access", ReportWords.Of(target.Access));
        w.WriteString("modality", ReportWords.Of(target.Modality));
        w.WriteString("data_name", target.DataName);
        w.WriteNumber("samples", target.Samples);
        w.WriteNumber("class_count", target.ClassCount);
        w.WriteStartArray("input_shape");
        foreach (int d in target.InputShape)
            w.WriteNumberValue(d);
        w.WriteEndArray();
        ReportJson.Objects(w, "findings", target.Findings, f => WriteFinding(w, f));
    }

    private static void WriteFinding(Utf8JsonWriter w, Finding finding)
    {
        WriteThreat(w, finding.Threat);
        w.WriteString("status", ReportWords.Of(finding.Status));
        w.WriteString("scenario", finding.Scenario);
        w.WriteString("title", finding.Title);
        if (finding.Severity is { } severity)
            w.WriteString("severity", ReportWords.Of(severity));
        else
            w.WriteNull("severity");
        w.WriteString("severity_rule", finding.SeverityRule);
        w.WriteString("reason", finding.Reason);
        ReportJson.Metrics(w, "metrics", finding.Metrics);
        ReportJson.Objects(w, "evidence", finding.Evidence, e => WriteEvidence(w, e));
        ReportJson.Objects(w, "defences", finding.Defences, d =>
        {
            w.WriteString("name", d.Name);
            w.WriteBoolean("measured", d.Measured);
            w.WriteString("summary", d.Summary);
            ReportJson.Metrics(w, "metrics", d.Metrics);
        });
        w.WriteNumber("duration_seconds", finding.Duration.TotalSeconds);
    }

    private static void WriteThreat(Utf8JsonWriter w, Threat threat)
    {
        w.WriteStartObject("threat");
        w.WriteString("id", threat.Id.ToString());
        w.WriteString("name", threat.Name);
        w.WriteString("summary", threat.Summary);
        ReportJson.Taxonomy(w, "taxonomy", threat.Taxonomy);
        ReportJson.StringArray(w, "owasp_ml_top10", threat.OwaspMlTop10);
        ReportJson.StringArray(w, "atlas_techniques", threat.AtlasTechniques);
        w.WriteString("doc_path", threat.DocPath);
        w.WriteEndObject();
    }

    private static void WriteEvidence(Utf8JsonWriter w, Evidence evidence)
    {
        switch (evidence)
        {
            case ChartEvidence chart:
                w.WriteString("type", "chart");
                w.WriteString("title", chart.Title);
                w.WriteString("x_label", chart.XLabel);
                w.WriteString("y_label", chart.YLabel);
                ReportJson.Objects(w, "series", chart.Series, s =>
                {
                    w.WriteString("label", s.Label);
                    ReportJson.NumberArray(w, "x", s.X);
                    ReportJson.NumberArray(w, "y", s.Y);
                });
                break;
            case ImageExamplesEvidence images:
                w.WriteString("type", "images");
                w.WriteString("title", images.Title);
                w.WriteNumber("channels", images.Channels);
                w.WriteNumber("height", images.Height);
                w.WriteNumber("width", images.Width);
                w.WriteNumber("low", images.Low);
                w.WriteNumber("high", images.High);
                ReportJson.StringArray(w, "class_names", images.ClassNames);
                ReportJson.Objects(w, "examples", images.Examples, e =>
                {
                    w.WriteNumber("true_class", e.TrueClass);
                    w.WriteNumber("adversarial_class", e.AdversarialClass);
                    ReportJson.NumberArray(w, "original", e.Original);
                    ReportJson.NumberArray(w, "adversarial", e.Adversarial);
                });
                break;
            case TextExamplesEvidence texts:
                w.WriteString("type", "texts");
                w.WriteString("title", texts.Title);
                ReportJson.Objects(w, "examples", texts.Examples, e =>
                {
                    w.WriteString("original", e.Original);
                    ReportJson.StringArray(w, "added_words", e.AddedWords);
                    w.WritePropertyName("score_before");
                    ReportJson.Number(w, e.ScoreBefore);
                    w.WritePropertyName("score_after");
                    ReportJson.Number(w, e.ScoreAfter);
                    w.WriteBoolean("evaded", e.Evaded);
                });
                break;
            case TableEvidence table:
                w.WriteString("type", "table");
                w.WriteString("title", table.Title);
                ReportJson.StringArray(w, "columns", table.Columns);
                w.WriteStartArray("rows");
                foreach (var row in table.Rows)
                {
                    w.WriteStartArray();
                    foreach (string cell in row)
                        w.WriteStringValue(cell);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                break;
            default:
                throw new NotSupportedException($"evidence of type {evidence.GetType().Name} has no place in {SchemaVersion}");
        }
    }
}
