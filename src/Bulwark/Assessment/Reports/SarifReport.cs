using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bulwark.Threats;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// The report a CI pipeline gates on: a SARIF 2.1.0 log with one run, one rule per threat of the
/// catalogue (T1–T15) and one result per finding, not-assessed and failed ones included.
/// </summary>
/// <remarks>
/// Kind and level by finding: High → fail/error, Medium → fail/warning, Low → fail/note,
/// Info → informational/none, not assessed → notApplicable/none, scenario error → open/none (and a
/// tool-execution notification at level error). SARIF requires level "none" whenever the kind is
/// not "fail". Each result carries a partial fingerprint hashed from the model key, the evaluation
/// data's name, the threat and the scenario, so that a code-scanning service matches it across
/// scans of the same model on the same data.
/// </remarks>
public static class SarifReport
{
    /// <summary>The schema the log declares.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The key of the partial fingerprint each result carries.</summary>
    public const string FingerprintKey = "bulwarkFinding/v2";

    /// <summary>Writes <paramref name="report"/> to <paramref name="output"/> as a UTF-8 SARIF log.</summary>
    public static void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ReportJson.Write(output, w => WriteLog(w, report));
    }

    /// <summary><paramref name="report"/> as SARIF text.</summary>
    public static string Render(ScanReport report) => ReportJson.Render(s => Write(report, s));

    /// <summary>The rule's name: the threat's name in PascalCase ("Evasion, white-box" → "EvasionWhiteBox").</summary>
    public static string RuleName(Threat threat)
    {
        ArgumentNullException.ThrowIfNull(threat);
        var name = new StringBuilder();
        bool wordStart = true;
        foreach (char c in threat.Name)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                wordStart = true;
                continue;
            }
            name.Append(wordStart ? char.ToUpperInvariant(c) : c);
            wordStart = false;
        }
        return name.ToString();
    }

    /// <summary>SARIF's kind and level for a finding (see the remarks of <see cref="SarifReport"/>).</summary>
    public static (string Kind, string Level) KindAndLevel(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return (finding.Status, finding.Severity) switch
        {
            (FindingStatus.NotAssessed, _) => ("notApplicable", "none"),
            (FindingStatus.Error, _) => ("open", "none"),
            (_, Severity.High) => ("fail", "error"),
            (_, Severity.Medium) => ("fail", "warning"),
            (_, Severity.Low) => ("fail", "note"),
            _ => ("informational", "none"),
        };
    }

    /// <summary>
    /// A hash of the model key, the data's name, the threat and the scenario: the same for the same
    /// finding in every scan of that model on that data, and different for two targets that share
    /// a model file but are evaluated on different data (version 1 left the data out, so such
    /// targets' findings collided).
    /// </summary>
    public static string Fingerprint(TargetReport target, Finding finding)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(finding);
        string identity = $"{target.ModelKey}|{target.DataName}|{finding.Threat.Id}|{finding.Scenario}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)));
    }

    private static void WriteLog(Utf8JsonWriter w, ScanReport report)
    {
        w.WriteStartObject();
        w.WriteString("$schema", SchemaUri);
        w.WriteString("version", "2.1.0");
        w.WriteStartArray("runs");
        w.WriteStartObject();

        w.WriteStartObject("tool");
        w.WriteStartObject("driver");
        w.WriteString("name", "Bulwark");
        w.WriteString("fullName", $"Bulwark {report.ToolVersion}");
        w.WriteString("version", report.ToolVersion);
        w.WriteString("semanticVersion", report.ToolVersion);
        w.WriteString("informationUri", ProjectSite.Home);
        ReportJson.Objects(w, "rules", ThreatCatalog.All, t => WriteRule(w, t));
        w.WriteEndObject();
        w.WriteEndObject();

        WriteInvocation(w, report);
        w.WriteStartObject("automationDetails");
        w.WriteString("id", $"bulwark/{report.Id}");
        w.WriteEndObject();

        ReportJson.Objects(w, "results", report.AllFindings, p => WriteResult(w, p.Target, p.Finding));

        w.WriteStartObject("properties");
        w.WriteString("budget", report.Budget);
        w.WriteNumber("seed", report.Seed);
        ReportJson.StringArray(w, "requestedThreats", report.RequestedThreats.Select(t => t.ToString()));
        w.WriteEndObject();

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteRule(Utf8JsonWriter w, Threat threat)
    {
        string helpUri = ProjectSite.Doc(threat.DocPath);
        string owasp = string.Join("; ", threat.OwaspMlTop10.Select(id => $"{id} {OwaspMlTop10.Titles.GetValueOrDefault(id, "")}".TrimEnd()));
        string atlas = string.Join("; ", threat.AtlasTechniques.Select(id => $"{id} {AtlasTechniques.Names.GetValueOrDefault(id, "")}".TrimEnd()));

        w.WriteString("id", threat.Id.ToString());
        w.WriteString("name", RuleName(threat));
        w.WriteStartObject("shortDescription");
        w.WriteString("text", $"{threat.Id}: {threat.Name}.");
        w.WriteEndObject();
        w.WriteStartObject("fullDescription");
        w.WriteString("text", $"{threat.Summary} Stage: {threat.WhenItStrikes}. Taxonomy (influence, specificity, violation): {threat.Taxonomy}.");
        w.WriteEndObject();
        w.WriteString("helpUri", helpUri);
        w.WriteStartObject("help");
        w.WriteString("text", $"{threat.Summary} Defences: {string.Join("; ", threat.Defences)}. See {helpUri}.");
        var markdown = new StringBuilder()
            .Append(threat.Summary).Append("\n\n**Defences**\n\n")
            .AppendJoin("", threat.Defences.Select(d => $"- {d}\n"))
            .Append('\n');
        if (owasp.Length > 0)
            markdown.Append("OWASP ML Top 10: ").Append(owasp).Append(".\n\n");
        if (atlas.Length > 0)
            markdown.Append("MITRE ATLAS: ").Append(atlas).Append(".\n\n");
        markdown.Append("[").Append(threat.Id).Append(" in the Bulwark threat catalogue](").Append(helpUri).Append(')');
        w.WriteString("markdown", markdown.ToString());
        w.WriteEndObject();
        w.WriteStartObject("properties");
        ReportJson.StringArray(w, "tags", ["security", .. threat.OwaspMlTop10, .. threat.AtlasTechniques]);
        ReportJson.Taxonomy(w, "taxonomy", threat.Taxonomy);
        w.WriteEndObject();
    }

    private static void WriteInvocation(Utf8JsonWriter w, ScanReport report)
    {
        w.WriteStartArray("invocations");
        w.WriteStartObject();
        w.WriteBoolean("executionSuccessful", true);
        w.WriteString("startTimeUtc", ReportJson.Timestamp(report.StartedUtc));
        w.WriteString("endTimeUtc", ReportJson.Timestamp(report.StartedUtc + report.Duration));
        var errors = report.Errors.ToArray();
        if (errors.Length > 0)
        {
            ReportJson.Objects(w, "toolExecutionNotifications", errors, p =>
            {
                w.WriteString("level", "error");
                w.WriteStartObject("message");
                w.WriteString("text", Sentence($"{p.Target.Name}: scenario '{p.Finding.Scenario}' for {p.Finding.Threat.Id} failed: {p.Finding.Reason}"));
                w.WriteEndObject();
                WriteRuleReference(w, "associatedRule", p.Finding.Threat);
            });
        }
        w.WriteEndObject();
        w.WriteEndArray();
    }

    private static void WriteResult(Utf8JsonWriter w, TargetReport target, Finding finding)
    {
        var (kind, level) = KindAndLevel(finding);
        w.WriteString("ruleId", finding.Threat.Id.ToString());
        w.WriteNumber("ruleIndex", RuleIndex(finding.Threat));
        w.WriteString("kind", kind);
        w.WriteString("level", level);
        w.WriteStartObject("message");
        w.WriteString("text", Sentence($"{target.Name}: {Explained(finding)}"));
        w.WriteEndObject();

        w.WriteStartArray("locations");
        w.WriteStartObject();
        if (ArtifactUri(target) is { } uri)
        {
            w.WriteStartObject("physicalLocation");
            w.WriteStartObject("artifactLocation");
            w.WriteString("uri", uri);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        w.WriteStartArray("logicalLocations");
        w.WriteStartObject();
        w.WriteString("name", target.Name);
        w.WriteString("kind", "module");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();

        w.WriteStartObject("partialFingerprints");
        w.WriteString(FingerprintKey, Fingerprint(target, finding));
        w.WriteEndObject();

        w.WriteStartObject("properties");
        w.WriteString("target", target.Name);
        w.WriteString("modelKey", target.ModelKey);
        w.WriteString("status", ReportWords.Of(finding.Status));
        if (finding.Scenario is { } scenario)
            w.WriteString("scenario", scenario);
        if (finding.Severity is { } severity)
            w.WriteString("severity", ReportWords.Of(severity));
        if (finding.SeverityRule is { } rule)
            w.WriteString("severityRule", rule);
        ReportJson.Metrics(w, "metrics", finding.Metrics);
        w.WriteEndObject();
    }

    private static void WriteRuleReference(Utf8JsonWriter w, string name, Threat threat)
    {
        w.WriteStartObject(name);
        w.WriteString("id", threat.Id.ToString());
        w.WriteNumber("index", RuleIndex(threat));
        w.WriteEndObject();
    }

    /// <summary>The threat's position in the rules, which are written in catalogue order.</summary>
    private static int RuleIndex(Threat threat)
    {
        for (int i = 0; i < ThreatCatalog.All.Count; i++)
        {
            if (ThreatCatalog.All[i].Id == threat.Id)
                return i;
        }
        throw new ArgumentException($"threat {threat.Id} is not in the catalogue", nameof(threat));
    }

    /// <summary>
    /// Where a result points: the model file (a relative reference as given, or a file URI when the
    /// path is absolute), else the prediction endpoint, else nowhere (the logical location names the target).
    /// </summary>
    private static string? ArtifactUri(TargetReport target)
    {
        if (target.ModelPath is { Length: > 0 } path)
        {
            if (Path.IsPathRooted(path))
                return new Uri(Path.GetFullPath(path)).AbsoluteUri;
            return string.Join('/', path.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString));
        }
        if (target.Endpoint is { } endpoint && Uri.TryCreate(endpoint, UriKind.Absolute, out var absolute))
            return absolute.AbsoluteUri;
        return null;
    }

    /// <summary>The title, then the reason where there is one (alone where it already starts with the title).</summary>
    private static string Explained(Finding finding) => finding.Reason switch
    {
        null => finding.Title,
        { } reason when reason.StartsWith(finding.Title, StringComparison.OrdinalIgnoreCase) => reason,
        { } reason => $"{finding.Title}: {reason}",
    };

    /// <summary>The text, ending with a full stop (SARIF asks that messages do).</summary>
    private static string Sentence(string text)
    {
        text = text.TrimEnd();
        return text.EndsWith('.') || text.EndsWith('!') || text.EndsWith('?') ? text : text + ".";
    }
}
