namespace Bulwark.Assessment;

/// <summary>Which way a metric improves, so that history can say "better" or "worse".</summary>
public enum MetricDirection
{
    /// <summary>Neither: a count or a setting, reported for context.</summary>
    Neutral = 0,

    /// <summary>A higher value means a safer model (robust accuracy).</summary>
    HigherIsBetter = 1,

    /// <summary>A lower value means a safer model (attack success rate).</summary>
    LowerIsBetter = 2,
}

/// <summary>One measured number of a finding, with its unit.</summary>
/// <param name="Key">Stable machine name, such as <c>robust_accuracy</c>; unique within a finding.</param>
/// <param name="Label">What a person reads, such as "robust accuracy at ε = 0.1".</param>
/// <param name="Value">The measurement; null when it is undefined (no samples, no success to take a median of).</param>
/// <param name="Unit">The unit: <c>fraction</c>, <c>queries</c>, <c>words</c>, <c>count</c>, <c>L2</c>, <c>Linf</c>, <c>seconds</c>.</param>
/// <param name="Direction">Which way is safer.</param>
public sealed record Metric(string Key, string Label, double? Value, string Unit, MetricDirection Direction = MetricDirection.Neutral)
{
    /// <summary>A metric whose undefined values (NaN, ±∞) become null.</summary>
    public static Metric Of(string key, string label, double value, string unit, MetricDirection direction = MetricDirection.Neutral) =>
        new(key, label, double.IsFinite(value) ? value : null, unit, direction);
}
