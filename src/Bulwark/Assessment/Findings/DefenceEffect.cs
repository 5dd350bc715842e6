namespace Bulwark.Assessment;

/// <summary>
/// A defence that applies to a finding's threat and, where Bulwark has it, its measured effect
/// against the same attack: the same metrics with the defence in place.
/// </summary>
/// <param name="Name">The defence, as the threat catalogue names it.</param>
/// <param name="Measured">Whether this scan measured it.</param>
/// <param name="Summary">One sentence: what was done and what it changed, or how to measure it.</param>
/// <param name="Metrics">The measurements with the defence (empty when not measured).</param>
public sealed record DefenceEffect(string Name, bool Measured, string Summary, IReadOnlyList<Metric> Metrics)
{
    /// <summary>A defence that applies but was not measured in this scan, and why.</summary>
    public static DefenceEffect NotMeasured(string name, string why) => new(name, false, why, []);
}
