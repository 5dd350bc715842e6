namespace Bulwark.Attacks.Evasion;

/// <summary>The norm a perturbation is measured and bounded in.</summary>
public enum NormKind
{
    /// <summary>L∞: the largest change of any one input element.</summary>
    Linf,

    /// <summary>L2: the Euclidean length of the perturbation.</summary>
    L2,

    /// <summary>L1: the sum of absolute changes.</summary>
    L1,
}
