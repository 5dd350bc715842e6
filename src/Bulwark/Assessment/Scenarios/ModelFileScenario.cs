using Bulwark.Defenses.Integrity;
using Bulwark.Threats;

namespace Bulwark.Assessment.Scenarios;

/// <summary>
/// T6 (transfer-learning attack: a trojaned or swapped model in the supply chain), assessed by the
/// model-file scan: the file is read defensively and checked by every rule of
/// <see cref="ModelFileScanner"/> (external data escaping the folder, custom operator domains,
/// constant-folding bombs, hidden content, malformed graphs). The severity is the highest any rule
/// raised, Info when none did. A backdoor hidden in the weights themselves is not visible to a file
/// scan; the finding says so.
/// </summary>
public sealed class ModelFileScenario : IScenario
{
    /// <inheritdoc />
    public ThreatId Threat => ThreatId.T6;

    /// <inheritdoc />
    public string Name => "model-file-scan";

    /// <inheritdoc />
    public string? Unfit(ScanTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return target.ModelPath is null
            ? "the model-file scan needs the model file; this target is " + (target.Endpoint is not null ? "an endpoint" : "an in-process model")
            : null;
    }

    /// <inheritdoc />
    public Finding Run(ScanTarget target, ScenarioContext context)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(context);
        context.Report(0.1, "reading the model file");
        var report = ModelFileScanner.Scan(target.ModelPath!);
        var highest = report.Highest ?? Severity.Info;
        int Count(Severity s) => report.Findings.Count(f => f.Severity == s);
        string title = report.Findings.Count == 0
            ? "no rule raised anything in the model file"
            : $"{report.Findings.Count} observation{(report.Findings.Count == 1 ? "" : "s")} in the model file, the highest {highest}";
        var defences = ThreatCatalog.Get(ThreatId.T6).Defences.Select(d => d switch
        {
            _ when d.Contains("integrity", StringComparison.Ordinal) => DefenceEffect.NotMeasured(d,
                $"pin this file's SHA-256 ({report.Sha256}) and check it on load: `bulwark model scan --expect-sha256`"),
            _ when d.Contains("safety scan", StringComparison.Ordinal) => new DefenceEffect(d, true,
                $"this scan: {ModelFileScanner.RuleIds.Count} rules over the file; " + (report.Findings.Count == 0 ? "none raised" : $"{report.Findings.Count} raised"), []),
            _ => DefenceEffect.NotMeasured(d, "backdoor scans (activation clustering, spectral signatures, Neural Cleanse) are not built yet"),
        }).ToArray();
        return new Finding
        {
            Threat = ThreatCatalog.Get(ThreatId.T6),
            Status = FindingStatus.Assessed,
            Title = title,
            Severity = highest,
            SeverityRule = report.Findings.Count == 0
                ? "no model-file rule raised anything (→ Info); a backdoor in the weights is not visible to a file scan"
                : $"the highest severity any model-file rule raised (→ {highest})",
            Metrics =
            [
                new Metric("findings", "rules raised", report.Findings.Count, "count", MetricDirection.LowerIsBetter),
                new Metric("findings_high", "rules raised at High", Count(Severity.High), "count", MetricDirection.LowerIsBetter),
                new Metric("findings_medium", "rules raised at Medium", Count(Severity.Medium), "count", MetricDirection.LowerIsBetter),
                new Metric("findings_low", "rules raised at Low", Count(Severity.Low), "count", MetricDirection.LowerIsBetter),
                new Metric("findings_info", "rules raised at Info", Count(Severity.Info), "count", MetricDirection.Neutral),
                new Metric("file_bytes", "model file size", report.FileBytes, "bytes"),
            ],
            Evidence = report.Findings.Count == 0
                ? []
                : [new TableEvidence("Model-file rules raised", ["severity", "rule", "what", "where"],
                    report.Findings.OrderByDescending(f => f.Severity).Select(f => (IReadOnlyList<string>)[f.Severity.ToString(), f.RuleId, f.What, f.Where]).ToArray())],
            Defences = defences,
        };
    }
}
