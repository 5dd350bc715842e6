using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// What an evasion attack produced: the adversarial inputs (same shape as the originals, inside the
/// input bounds), per-sample success, the L0/L2/L∞ size of each perturbation, the model calls it
/// spent and how long it took.
/// </summary>
public sealed record AttackResult
{
    /// <summary>The attack's name (e.g. "pgd").</summary>
    public required string Attack { get; init; }

    /// <summary>The perturbation budget the attack ran at, or null for minimum-norm attacks.</summary>
    public required float? Epsilon { get; init; }

    /// <summary>The norm the budget is in.</summary>
    public required NormKind Norm { get; init; }

    /// <summary>Adversarial inputs [N, ...].</summary>
    public required Tensor Adversarial { get; init; }

    /// <summary>Whether each sample fools the model by the attack's criterion.</summary>
    public required bool[] Success { get; init; }

    /// <summary>Number of changed elements per sample.</summary>
    public required float[] L0 { get; init; }

    /// <summary>Euclidean size of each perturbation.</summary>
    public required float[] L2 { get; init; }

    /// <summary>Largest single-element change of each perturbation.</summary>
    public required float[] Linf { get; init; }

    /// <summary>Samples sent to the model for scores (black-box queries), summed over the batch.</summary>
    public required long Queries { get; init; }

    /// <summary>
    /// Model evaluations per sample, including the final check of the result, for attacks that
    /// count them (the black-box ones); null otherwise.
    /// </summary>
    public long[]? QueriesPerSample { get; init; }

    /// <summary>Per-sample gradient evaluations, summed over the batch.</summary>
    public required long GradientCalls { get; init; }

    /// <summary>Wall-clock time of the run.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The fraction of samples on which the attack succeeded.</summary>
    public double SuccessRate => Success.Length == 0 ? 0 : Success.Count(s => s) / (double)Success.Length;

    /// <summary>The median of a per-sample measure over the successful samples (NaN if none succeeded).</summary>
    public double MedianOverSuccesses(float[] perSample)
    {
        ArgumentNullException.ThrowIfNull(perSample);
        var values = perSample.Where((_, i) => Success[i]).Order().ToArray();
        if (values.Length == 0)
            return double.NaN;
        int m = values.Length / 2;
        return values.Length % 2 == 1 ? values[m] : (values[m - 1] + values[m]) / 2.0;
    }
}
