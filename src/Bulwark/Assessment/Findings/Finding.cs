using Bulwark.Threats;

namespace Bulwark.Assessment;

/// <summary>
/// What one scenario found about one threat on one target: the measured damage, a severity by the
/// scenario's documented rule, the evidence and the measured effect of the defences that apply.
/// Threats nobody measured are findings too, <see cref="FindingStatus.NotAssessed"/> with a reason.
/// </summary>
public sealed record Finding
{
    /// <summary>The threat of the catalogue (id, taxonomy, OWASP and ATLAS ids).</summary>
    public required Threat Threat { get; init; }

    /// <summary>Whether anything was measured.</summary>
    public required FindingStatus Status { get; init; }

    /// <summary>The scenario that produced it ("pgd-robustness", "model-file-scan"); null when none ran.</summary>
    public string? Scenario { get; init; }

    /// <summary>A one-line result a person reads first.</summary>
    public required string Title { get; init; }

    /// <summary>The severity; null unless <see cref="Status"/> is <see cref="FindingStatus.Assessed"/>.</summary>
    public Severity? Severity { get; init; }

    /// <summary>The rule that gave <see cref="Severity"/>, with the numbers it used.</summary>
    public string? SeverityRule { get; init; }

    /// <summary>Why nothing was measured, or the error of a failed scenario.</summary>
    public string? Reason { get; init; }

    /// <summary>The measurements; the first is the headline that summaries show.</summary>
    public IReadOnlyList<Metric> Metrics { get; init; } = [];

    /// <summary>Charts, examples and tables.</summary>
    public IReadOnlyList<Evidence> Evidence { get; init; } = [];

    /// <summary>The defences that apply, measured where Bulwark has them.</summary>
    public IReadOnlyList<DefenceEffect> Defences { get; init; } = [];

    /// <summary>How long the scenario ran.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>A finding that says the threat was not measured, and why.</summary>
    public static Finding NotAssessed(Threat threat, string reason) => new()
    {
        Threat = threat,
        Status = FindingStatus.NotAssessed,
        Title = "not assessed",
        Reason = reason,
    };

    /// <summary>The metric with key <paramref name="key"/>, or null.</summary>
    public Metric? Metric(string key) => Metrics.FirstOrDefault(m => m.Key == key);
}
