namespace Bulwark.Assessment.Robustness;

/// <summary>
/// What the gradient-masking analysers look at: a robustness curve from the main white-box attack,
/// the same attack with more effort, an unbounded run, and optionally a black-box attack at the
/// curve's budgets. Any part may be missing; analysers that need it then say nothing.
/// </summary>
public sealed record SanityEvidence
{
    /// <summary>Clean accuracy of the model on the evaluated samples.</summary>
    public required double CleanAccuracy { get; init; }

    /// <summary>The main white-box attack at increasing budgets.</summary>
    public required IReadOnlyList<RobustnessPoint> Curve { get; init; }

    /// <summary>The same attack with more iterations or restarts, at the same budgets.</summary>
    public IReadOnlyList<RobustnessPoint>? Stronger { get; init; }

    /// <summary>The white-box attack with a budget covering the whole input box.</summary>
    public RobustnessPoint? Unbounded { get; init; }

    /// <summary>A black-box attack at the same budgets.</summary>
    public IReadOnlyList<RobustnessPoint>? BlackBox { get; init; }
}

/// <summary>The outcome of one sanity analyser.</summary>
/// <param name="Check">The check's identifier (e.g. "unbounded-attack-succeeds").</param>
/// <param name="Passed">Whether the evidence is consistent with a sound evaluation.</param>
/// <param name="Message">What was observed, with the numbers.</param>
public sealed record SanityConclusion(string Check, bool Passed, string Message);
