namespace Bulwark.Attacks.Evasion;

/// <summary>
/// The settings a user gives any attack by name (the CLI's <c>--eps --norm --steps --seed</c>);
/// null keeps the attack's own (paper) default.
/// </summary>
public sealed record AttackSettings
{
    /// <summary>The perturbation budget.</summary>
    public float? Epsilon { get; init; }

    /// <summary>The norm of the budget.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>Iterations.</summary>
    public int? Steps { get; init; }

    /// <summary>Seed of every random choice.</summary>
    public ulong Seed { get; init; }

    /// <summary>Per-sample query budget of black-box attacks.</summary>
    public int? MaxQueries { get; init; }

    /// <summary>Samples per model call.</summary>
    public int? BatchSize { get; init; }
}
