using System.Globalization;
using System.Text;
using Bulwark.Threats;
using static Bulwark.Assessment.Reports.Html;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// A scan report as one self-contained HTML5 page a person reads: the scan's settings, a risk table
/// (threat × target, with the taxonomy and OWASP/ATLAS ids), a section per measured or failed
/// finding with its metrics, evidence (charts as inline SVG, images as inline PNG) and defences, and
/// the threats nothing measured with the reasons. No script, no external resource, no network: a
/// content-security policy in the page forbids them. The same report gives the same bytes.
/// </summary>
public static class HtmlReport
{
    private static readonly Lazy<string> Style = new(() =>
    {
        using var css = typeof(HtmlReport).Assembly.GetManifestResourceStream("Bulwark.Assessment.Reports.HtmlReport.css")
            ?? throw new InvalidOperationException("the report's style sheet is not embedded in the assembly");
        return new StreamReader(css).ReadToEnd();
    });

    /// <summary>Writes the page to <paramref name="output"/> as UTF-8 (no byte-order mark).</summary>
    public static void Write(ScanReport report, Stream output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(Render(report)));
    }

    /// <summary>The page as a string.</summary>
    public static string Render(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(64 * 1024);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>Bulwark scan report ").Append(report.Id).Append("</title>\n")
            .Append("<style>\n").Append(Style.Value).Append("</style>\n</head>\n<body>\n");
        WriteHeader(html, report);
        html.Append("<main>\n");
        WriteSummary(html, report);
        WriteTargets(html, report);
        WriteFindings(html, report);
        WriteNotAssessed(html, report);
        html.Append("</main>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void WriteHeader(StringBuilder html, ScanReport report)
    {
        html.Append("<header>\n<h1>Bulwark scan report</h1>\n<dl class=\"meta\">");
        (string Name, string Value)[] facts =
        [
            ("Bulwark", report.ToolVersion),
            ("started", report.StartedUtc.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)),
            ("duration", Duration(report.Duration)),
            ("budget", report.Budget),
            ("seed", report.Seed.ToString(CultureInfo.InvariantCulture)),
            ("scan id", report.Id),
        ];
        foreach (var (name, value) in facts)
            html.Append("<div><dt>").Append(name).Append("</dt><dd>").Append(Escape(value)).Append("</dd></div>");
        html.Append("</dl>\n</header>\n");
    }

    private static void WriteSummary(StringBuilder html, ScanReport report)
    {
        var all = report.AllFindings.Select(p => p.Finding).ToArray();
        var assessed = all.Where(f => f.Status == FindingStatus.Assessed).ToArray();
        var bySeverity = Enum.GetValues<Severity>().Reverse()
            .Select(s => (Severity: s, Count: assessed.Count(f => f.Severity == s)))
            .Where(p => p.Count > 0)
            .Select(p => $"{p.Count} {p.Severity}");
        int errors = all.Count(f => f.Status == FindingStatus.Error);
        int notAssessed = all.Count(f => f.Status == FindingStatus.NotAssessed);

        html.Append("<section id=\"summary\">\n<h2>Summary</h2>\n<p class=\"verdict\">Highest severity: ")
            .Append(report.Highest is { } highest ? SeverityBadge(highest) : "none (nothing was assessed)")
            .Append("</p>\n<p>").Append(assessed.Length).Append(" assessed finding").Append(assessed.Length == 1 ? "" : "s");
        if (assessed.Length > 0)
            html.Append(" (").Append(string.Join(", ", bySeverity)).Append(')');
        html.Append(", ").Append(errors).Append(" failed scenario").Append(errors == 1 ? "" : "s")
            .Append(", ").Append(notAssessed).Append(" threat–target pair").Append(notAssessed == 1 ? "" : "s").Append(" not assessed.</p>\n");

        html.Append("<table class=\"risk\">\n<thead><tr><th>threat</th>");
        foreach (var target in report.Targets)
            html.Append("<th>").Append(Escape(target.Name)).Append("</th>");
        html.Append("<th>influence</th><th>specificity</th><th>violation</th><th>OWASP ML</th><th>MITRE ATLAS</th></tr></thead>\n<tbody>\n");
        foreach (var threat in ThreatCatalog.All)
        {
            html.Append("<tr><th scope=\"row\"><span class=\"tid\">").Append(threat.Id).Append("</span> ").Append(Escape(threat.Name)).Append("</th>");
            for (int t = 0; t < report.Targets.Count; t++)
                WriteRiskCell(html, report.Targets[t], t, threat.Id);
            var axes = threat.Taxonomy;
            html.Append("<td>").Append(Words(axes.Influence)).Append("</td><td>").Append(axes.Specificity.ToString().ToLowerInvariant())
                .Append("</td><td>").Append(Words(axes.Violation)).Append("</td><td class=\"ids\">")
                .Append(Ids(threat.OwaspMlTop10)).Append("</td><td class=\"ids\">").Append(Ids(threat.AtlasTechniques)).Append("</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n</section>\n");
    }

    /// <summary>One badge per finding of <paramref name="threat"/> on the target (several scenarios may cover one threat), linked to its section.</summary>
    private static void WriteRiskCell(StringBuilder html, TargetReport target, int t, ThreatId threat)
    {
        html.Append("<td class=\"cell\">");
        bool any = false;
        for (int i = 0; i < target.Findings.Count; i++)
        {
            var f = target.Findings[i];
            if (f.Threat.Id != threat)
                continue;
            if (any)
                html.Append(' ');
            any = true;
            switch (f.Status)
            {
                case FindingStatus.Assessed:
                    html.Append("<a href=\"#").Append(Anchor(t, i)).Append("\">").Append(f.Severity is { } s ? SeverityBadge(s) : Badge("unrated", "unrated")).Append("</a>");
                    break;
                case FindingStatus.Error:
                    html.Append("<a href=\"#").Append(Anchor(t, i)).Append("\">").Append(Badge("error", "error")).Append("</a>");
                    break;
                default:
                    html.Append("<span class=\"na\" title=\"").Append(Escape(f.Reason)).Append("\">not assessed</span>");
                    break;
            }
        }
        html.Append(any ? "</td>" : "<span class=\"na\">—</span></td>");
    }

    private static void WriteTargets(StringBuilder html, ScanReport report)
    {
        html.Append("<section id=\"targets\">\n<h2>Targets</h2>\n<table>\n<thead><tr><th>target</th><th>model</th><th>access</th><th>modality</th>")
            .Append("<th>evaluation data</th><th class=\"num\">samples</th><th class=\"num\">classes</th><th>input shape</th></tr></thead>\n<tbody>\n");
        foreach (var target in report.Targets)
        {
            html.Append("<tr><th scope=\"row\">").Append(Escape(target.Name)).Append("</th><td>")
                .Append(Escape(target.ModelPath ?? target.Endpoint ?? "—"));
            if (target.ModelSha256 is { } sha)
                html.Append("<br><code title=\"").Append(Escape(sha)).Append("\">sha256 ").Append(Escape(sha[..Math.Min(12, sha.Length)])).Append("…</code>");
            html.Append("</td><td>").Append(target.Access == ModelAccess.WhiteBox ? "white-box" : "black-box")
                .Append("</td><td>").Append(target.Modality.ToString().ToLowerInvariant())
                .Append("</td><td>").Append(Escape(target.DataName))
                .Append("</td><td class=\"num\">").Append(target.Samples)
                .Append("</td><td class=\"num\">").Append(target.ClassCount)
                .Append("</td><td>[").Append(string.Join(", ", target.InputShape)).Append("]</td></tr>\n");
        }
        html.Append("</tbody>\n</table>\n</section>\n");
    }

    private static void WriteFindings(StringBuilder html, ScanReport report)
    {
        html.Append("<section id=\"findings\">\n<h2>Findings</h2>\n");
        bool any = false;
        for (int t = 0; t < report.Targets.Count; t++)
        {
            var target = report.Targets[t];
            for (int i = 0; i < target.Findings.Count; i++)
            {
                if (target.Findings[i].Status != FindingStatus.NotAssessed)
                {
                    WriteFinding(html, target, target.Findings[i], Anchor(t, i));
                    any = true;
                }
            }
        }
        if (!any)
            html.Append("<p>No scenario ran: every threat is listed under “Not assessed” below.</p>\n");
        html.Append("</section>\n");
    }

    private static void WriteFinding(StringBuilder html, TargetReport target, Finding f, string anchor)
    {
        html.Append("<article class=\"finding\" id=\"").Append(anchor).Append("\">\n<h3><span class=\"tid\">").Append(f.Threat.Id).Append("</span> ")
            .Append(Escape(f.Threat.Name)).Append(" <span class=\"on\">on ").Append(Escape(target.Name)).Append("</span></h3>\n")
            .Append("<p class=\"headline\">").Append(Escape(f.Title)).Append("</p>\n");
        if (f.Status == FindingStatus.Error)
        {
            html.Append("<p class=\"rating\">").Append(Badge("error", "error")).Append(" the scan went on with its other scenarios</p>\n")
                .Append("<pre class=\"reason\">").Append(Escape(f.Reason)).Append("</pre>\n");
        }
        else
        {
            html.Append("<p class=\"rating\">").Append(f.Severity is { } s ? SeverityBadge(s) : Badge("unrated", "unrated"))
                .Append(' ').Append(Escape(f.SeverityRule ?? "")).Append("</p>\n");
        }
        html.Append("<p class=\"facts\">scenario <code>").Append(Escape(f.Scenario ?? "—")).Append("</code> · ran ").Append(Duration(f.Duration))
            .Append(" · ").Append(Escape(f.Threat.Taxonomy.ToString())).Append(" · see <code>").Append(Escape(f.Threat.DocPath)).Append("</code></p>\n");

        if (f.Metrics.Count > 0)
        {
            html.Append("<h4>Metrics</h4>\n<table class=\"metrics\">\n<thead><tr><th>metric</th><th class=\"num\">value</th><th>unit</th><th>safer when</th></tr></thead>\n<tbody>\n");
            foreach (var m in f.Metrics)
            {
                html.Append("<tr><td title=\"").Append(Escape(m.Key)).Append("\">").Append(Escape(m.Label))
                    .Append("</td><td class=\"num\">").Append(Number(m.Value)).Append("</td><td>").Append(Escape(m.Unit))
                    .Append("</td><td>").Append(Safer(m.Direction)).Append("</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }

        if (f.Evidence.Count > 0)
        {
            html.Append("<h4>Evidence</h4>\n");
            for (int k = 0; k < f.Evidence.Count; k++)
                HtmlEvidence.Write(html, f.Evidence[k], $"{anchor}-e{k + 1}");
        }

        if (f.Defences.Count > 0)
        {
            html.Append("<h4>Defences</h4>\n<table class=\"defences\">\n<thead><tr><th>defence</th><th>measured</th><th>what was done or how to measure it</th><th>with the defence</th></tr></thead>\n<tbody>\n");
            foreach (var d in f.Defences)
            {
                html.Append("<tr><td>").Append(Escape(d.Name)).Append("</td><td>")
                    .Append(d.Measured ? "<span class=\"measured\">measured</span>" : "<span class=\"na\">not measured</span>")
                    .Append("</td><td>").Append(Escape(d.Summary)).Append("</td><td>")
                    .AppendJoin("<br>", d.Metrics.Select(m => $"{Escape(m.Label)}: {Number(m.Value)} {Escape(m.Unit)}"))
                    .Append("</td></tr>\n");
            }
            html.Append("</tbody>\n</table>\n");
        }
        html.Append("</article>\n");
    }

    /// <summary>Per target, the threats nothing measured, those sharing a reason on one line.</summary>
    private static void WriteNotAssessed(StringBuilder html, ScanReport report)
    {
        html.Append("<section id=\"not-assessed\">\n<h2>Not assessed</h2>\n<p class=\"note\">Nothing was measured for these threats, so no severity is given.</p>\n");
        foreach (var target in report.Targets)
        {
            var groups = target.Findings.Where(f => f.Status == FindingStatus.NotAssessed).GroupBy(f => f.Reason ?? "").ToArray();
            if (groups.Length == 0)
                continue;
            html.Append("<h3>").Append(Escape(target.Name)).Append("</h3>\n<ul class=\"compact\">\n");
            foreach (var group in groups)
            {
                var threats = group.Select(f => f.Threat).ToArray();
                html.Append("<li>").AppendJoin(" ", threats.Select(x => $"<span class=\"tid\" title=\"{Escape(x.Name)}\">{x.Id}</span>"));
                if (threats.Length == 1)
                    html.Append(' ').Append(Escape(threats[0].Name));
                html.Append(" — ").Append(Escape(group.Key)).Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        html.Append("</section>\n");
    }

    private static string Ids(IReadOnlyList<string> ids) => ids.Count == 0 ? "—" : Escape(string.Join(", ", ids));

    private static string Anchor(int target, int finding) => $"f{target + 1}-{finding + 1}";

    private static string SeverityBadge(Severity s) => Badge("sev-" + s.ToString().ToLowerInvariant(), s.ToString());

    private static string Badge(string kind, string text) => $"<span class=\"badge {kind}\">{text}</span>";

    private static string Safer(MetricDirection d) => d switch
    {
        MetricDirection.HigherIsBetter => "higher",
        MetricDirection.LowerIsBetter => "lower",
        _ => "—",
    };

    /// <summary>A flags axis as "causative/exploratory" (may break after the slash), or "—" when no flag is set.</summary>
    private static string Words<T>(T value)
        where T : struct, Enum =>
        Convert.ToInt32(value, CultureInfo.InvariantCulture) == 0 ? "—" : value.ToString().Replace(", ", "/<wbr>", StringComparison.Ordinal).ToLowerInvariant();
}
