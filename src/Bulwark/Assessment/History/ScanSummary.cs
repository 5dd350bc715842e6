namespace Bulwark.Assessment.History;

/// <summary>How many findings of a scan fall in each class: assessed at each severity, not assessed, failed.</summary>
/// <param name="High">Assessed findings at <see cref="Severity.High"/>.</param>
/// <param name="Medium">Assessed findings at <see cref="Severity.Medium"/>.</param>
/// <param name="Low">Assessed findings at <see cref="Severity.Low"/>.</param>
/// <param name="Info">Assessed findings at <see cref="Severity.Info"/>.</param>
/// <param name="NotAssessed">Findings with <see cref="FindingStatus.NotAssessed"/>.</param>
/// <param name="Errors">Findings whose scenario failed.</param>
public sealed record FindingCounts(int High, int Medium, int Low, int Info, int NotAssessed, int Errors)
{
    /// <summary>Counts the findings of every target of <paramref name="report"/>.</summary>
    public static FindingCounts Of(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var findings = report.AllFindings.Select(p => p.Finding).ToArray();
        int At(Severity s) => findings.Count(f => f.Severity == s);
        return new FindingCounts(
            At(Severity.High), At(Severity.Medium), At(Severity.Low), At(Severity.Info),
            findings.Count(f => f.Status == FindingStatus.NotAssessed),
            findings.Count(f => f.Status == FindingStatus.Error));
    }
}

/// <summary>One target of a recorded scan, as a listing shows it.</summary>
/// <param name="Name">The target's name.</param>
/// <param name="ModelKey">What identifies its model across scans (<see cref="TargetReport.ModelKey"/>).</param>
public sealed record HistoryTarget(string Name, string ModelKey);

/// <summary>One recorded scan, as <see cref="ScanHistory.List"/> returns it.</summary>
/// <param name="Sequence">The short handle: the row number in the history, increasing with each recording.</param>
/// <param name="Id">The scan's id (<see cref="ScanReport.Id"/>).</param>
/// <param name="StartedUtc">When the scan started.</param>
/// <param name="Duration">How long it took.</param>
/// <param name="Budget">The budget's name.</param>
/// <param name="ToolVersion">Bulwark's version that ran it.</param>
/// <param name="Targets">Its targets, in scan order.</param>
/// <param name="Highest">The highest severity of any assessed finding, or null.</param>
/// <param name="Counts">Findings by severity and status.</param>
public sealed record ScanSummary(
    long Sequence, string Id, DateTimeOffset StartedUtc, TimeSpan Duration, string Budget, string ToolVersion,
    IReadOnlyList<HistoryTarget> Targets, Severity? Highest, FindingCounts Counts)
{
    /// <summary>The summary of <paramref name="report"/> recorded as number <paramref name="sequence"/>.</summary>
    public static ScanSummary Of(long sequence, ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new ScanSummary(
            sequence, report.Id, report.StartedUtc, report.Duration, report.Budget, report.ToolVersion,
            report.Targets.Select(t => new HistoryTarget(t.Name, t.ModelKey)).ToArray(),
            report.Highest, FindingCounts.Of(report));
    }
}
