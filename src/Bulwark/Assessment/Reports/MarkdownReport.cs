using System.Globalization;
using System.Text;

namespace Bulwark.Assessment.Reports;

/// <summary>
/// A short summary of a <see cref="ScanReport"/> for a pull-request comment: the settings, a risk
/// table of the assessed and failed findings, the threats not assessed and the first few defences
/// worth measuring. Text from the report is escaped, so it cannot break the table or add markup.
/// </summary>
public static class MarkdownReport
{
    /// <summary>The most recommendations listed; the full report has the rest.</summary>
    public const int MaxRecommendations = 5;

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary><paramref name="report"/> as GitHub-flavoured Markdown, lines ending in "\n".</summary>
    public static string Render(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var md = new StringBuilder();
        var findings = report.AllFindings.ToArray();
        md.Append("## Bulwark scan: ").Append(Verdict(report)).Append("\n\n");
        md.Append(Invariant, $"Budget {Escape(report.Budget)} · seed {report.Seed} · Bulwark {Escape(report.ToolVersion)} · ")
          .Append(Invariant, $"{report.Targets.Count} target{Plural(report.Targets.Count)} · scan {report.Id}\n\n");

        var rows = findings.Where(p => p.Finding.Status != FindingStatus.NotAssessed).ToArray();
        if (rows.Length == 0)
        {
            md.Append("No threat was assessed.\n");
        }
        else
        {
            md.Append("| Target | Threat | Name | Severity | Headline metric | Result |\n");
            md.Append("| --- | --- | --- | --- | --- | --- |\n");
            foreach (var (target, finding) in rows)
            {
                string result = finding.Status == FindingStatus.Error ? $"{finding.Title}: {finding.Reason}" : finding.Title;
                md.Append(Invariant, $"| {Escape(target.Name)} | {finding.Threat.Id} | {Escape(finding.Threat.Name)} | {SeverityCell(finding)} | {HeadlineCell(finding)} | {Escape(result)} |\n");
            }
        }

        var notAssessed = report.Targets
            .Select(t => (t.Name, Ids: t.Findings.Where(f => f.Status == FindingStatus.NotAssessed).Select(f => f.Threat.Id.ToString()).Distinct().ToArray()))
            .Where(t => t.Ids.Length > 0)
            .Select(t => $"{Escape(t.Name)}: {string.Join(", ", t.Ids)}")
            .ToArray();
        if (notAssessed.Length > 0)
            md.Append("\n**Not assessed:** ").AppendJoin(" · ", notAssessed).Append('\n');

        AppendRecommendations(md, findings);
        return md.ToString();
    }

    /// <summary>
    /// <paramref name="text"/> safe inside a table cell or a line: the characters Markdown gives a
    /// meaning (pipes, emphasis, code, links, HTML, entities) are backslash-escaped, line breaks become spaces.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\r':
                    break;
                case '\n':
                    escaped.Append(' ');
                    break;
                case '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '~' or '&':
                    escaped.Append('\\').Append(c);
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }
        return escaped.ToString();
    }

    /// <summary>The metric a reader should see first: by convention a finding's first metric with a value (see <see cref="Finding.Metrics"/>).</summary>
    public static Metric? Headline(Finding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        return finding.Metrics.FirstOrDefault(m => m.Value is not null);
    }

    private static string Verdict(ScanReport report)
    {
        var counts = Enum.GetValues<Severity>().OrderDescending()
            .Select(s => (Severity: s, Count: report.AllFindings.Count(p => p.Finding.Severity == s)))
            .Where(c => c.Count > 0)
            .Select(c => string.Create(Invariant, $"{c.Count} {c.Severity}"))
            .ToList();
        int errors = report.Errors.Count();
        if (errors > 0)
            counts.Add(string.Create(Invariant, $"{errors} error{Plural(errors)}"));
        return counts.Count == 0 ? "nothing assessed" : string.Join(", ", counts);
    }

    private static string SeverityCell(Finding finding) => finding.Status switch
    {
        FindingStatus.Error => "error",
        _ when finding.Severity is Severity.High => "**High**",
        _ => finding.Severity?.ToString() ?? "—",
    };

    private static string HeadlineCell(Finding finding)
    {
        if (Headline(finding) is not { Value: { } value } metric)
            return "—";
        string shown = metric.Unit switch
        {
            "fraction" => string.Create(Invariant, $"{value * 100:0.#} %"),
            "count" => string.Create(Invariant, $"{value:G6}"),
            _ => string.Create(Invariant, $"{value:G4} {metric.Unit}"),
        };
        return Escape($"{metric.Label}: {shown}");
    }

    private static void AppendRecommendations(StringBuilder md, (TargetReport Target, Finding Finding)[] findings)
    {
        var open = findings
            .Where(p => p.Finding.Severity >= Severity.Medium)
            .OrderByDescending(p => p.Finding.Severity)
            .SelectMany(p => p.Finding.Defences.Where(d => !d.Measured).Select(d => (p.Target, p.Finding, Defence: d)))
            .ToArray();
        if (open.Length == 0)
            return;
        md.Append("\n### Top recommendations\n\n");
        int n = 0;
        foreach (var (target, finding, defence) in open.Take(MaxRecommendations))
        {
            n++;
            md.Append(Invariant, $"{n}. **{Escape(target.Name)}, {finding.Threat.Id} ({finding.Severity}):** {Escape(defence.Name)}: {Escape(defence.Summary)}\n");
        }
        if (open.Length > MaxRecommendations)
            md.Append(Invariant, $"\n…and {open.Length - MaxRecommendations} more in the full report.\n");
    }

    private static string Plural(int count) => count == 1 ? "" : "s";
}
