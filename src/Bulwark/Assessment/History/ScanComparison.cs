using Bulwark.Threats;

namespace Bulwark.Assessment.History;

/// <summary>How one thing moved between an earlier and a later scan, judged by what is safer.</summary>
public enum ChangeKind
{
    /// <summary>The same on both sides.</summary>
    Unchanged = 0,

    /// <summary>Safer now: a metric moved its good way, a severity fell, a failing scenario ran.</summary>
    Better = 1,

    /// <summary>Less safe now: a metric moved its bad way, a severity rose, a scenario began to fail.</summary>
    Worse = 2,

    /// <summary>Only in the later scan (a target, a finding, a metric, or a value that was undefined).</summary>
    New = 3,

    /// <summary>Only in the earlier scan, or a value that became undefined.</summary>
    Gone = 4,

    /// <summary>Different, but neither safer nor less safe: a neutral metric, a new unit, another model file.</summary>
    Changed = 5,
}

/// <summary>
/// One difference (or sameness) between two scans: a target, a finding, its status or severity,
/// or one of its metrics.
/// </summary>
public sealed record Change
{
    /// <summary>The verdict.</summary>
    public required ChangeKind Kind { get; init; }

    /// <summary>The target's name (the later scan's where both have it).</summary>
    public required string Target { get; init; }

    /// <summary>The finding's threat; null for a change of the whole target.</summary>
    public ThreatId? Threat { get; init; }

    /// <summary>The finding's scenario; null for a target or a not-assessed finding.</summary>
    public string? Scenario { get; init; }

    /// <summary>What changed: "target", "model", "finding", "status", "severity", or a metric key.</summary>
    public required string Subject { get; init; }

    /// <summary>The earlier value as text (a number in invariant culture, a severity, a status, a model key), or null.</summary>
    public string? Before { get; init; }

    /// <summary>The later value as text, or null.</summary>
    public string? After { get; init; }

    /// <summary>For a metric with both values: later minus earlier, in <see cref="Unit"/>.</summary>
    public double? Delta { get; init; }

    /// <summary>The metric's unit.</summary>
    public string? Unit { get; init; }

    /// <summary>One sentence a person reads: "robust accuracy rose 12.0 points (0.05 → 0.17)".</summary>
    public required string Text { get; init; }
}

/// <summary>What changed from one recorded scan to a later one, change by change.</summary>
/// <param name="Before">The earlier scan.</param>
/// <param name="After">The later scan.</param>
/// <param name="Changes">Every target, finding status and severity, and metric compared, in the later scan's order, then what is gone.</param>
public sealed record ScanComparison(ScanSummary Before, ScanSummary After, IReadOnlyList<Change> Changes)
{
    /// <summary>How many changes have verdict <paramref name="kind"/>.</summary>
    public int Count(ChangeKind kind) => Changes.Count(c => c.Kind == kind);

    /// <summary>The changes that are not <see cref="ChangeKind.Unchanged"/>.</summary>
    public IEnumerable<Change> Differences => Changes.Where(c => c.Kind != ChangeKind.Unchanged);
}
