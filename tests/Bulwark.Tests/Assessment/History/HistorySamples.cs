using Bulwark.Assessment;
using Bulwark.Assessment.History;

namespace Bulwark.Tests.Assessment.History;

/// <summary>
/// A later scan of <see cref="SampleReports.Full"/>'s models: a day later, robust accuracy up
/// (0.05 → 0.17, better), good-word success up (0.62 → 0.70, worse) and its severity up
/// (medium → high, worse); everything else the same.
/// </summary>
internal static class HistorySamples
{
    public static ScanReport Rescanned(ScanReport earlier, TimeSpan? later = null) => earlier with
    {
        StartedUtc = earlier.StartedUtc + (later ?? TimeSpan.FromDays(1)),
        Targets = earlier.Targets.Select(t => t with { Findings = t.Findings.Select(Retuned).ToArray() }).ToArray(),
    };

    /// <summary>A history at <paramref name="path"/> holding the sample scan as #1 and its rescan as #2.</summary>
    public static ScanHistory TwoScans(string path)
    {
        var history = ScanHistory.Open(path);
        var first = SampleReports.Full();
        history.Record(first);
        history.Record(Rescanned(first));
        return history;
    }

    /// <summary>The same report with another start time and seed, hence another id.</summary>
    public static ScanReport Variant(ScanReport report, int index) => report with
    {
        StartedUtc = report.StartedUtc.AddSeconds(index),
        Seed = (ulong)index,
    };

    private static Finding Retuned(Finding f) => f.Scenario switch
    {
        "pgd-robustness" => f with { Metrics = Set(f.Metrics, "robust_accuracy", 0.17) },
        "good-word" => f with { Severity = Severity.High, Metrics = Set(f.Metrics, "success_rate", 0.70) },
        _ => f,
    };

    private static Metric[] Set(IReadOnlyList<Metric> metrics, string key, double value) =>
        metrics.Select(m => m.Key == key ? m with { Value = value } : m).ToArray();
}
