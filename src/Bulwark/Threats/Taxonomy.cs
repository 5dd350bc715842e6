namespace Bulwark.Threats;

/// <summary>Barreno et al.'s influence axis: does the attacker shape training, or only probe the trained model?</summary>
[Flags]
public enum Influence
{
    /// <summary>Neither: the attack acts outside the learner (for example on its outputs in transit).</summary>
    None = 0,

    /// <summary>The attacker alters the training data or the training process.</summary>
    Causative = 1,

    /// <summary>The attacker only queries or inspects the trained model.</summary>
    Exploratory = 2,
}

/// <summary>Barreno et al.'s specificity axis: which inputs or victims the attack aims at.</summary>
public enum Specificity
{
    /// <summary>A chosen input, class or record.</summary>
    Targeted,

    /// <summary>Any input: the aim is broad damage.</summary>
    Indiscriminate,

    /// <summary>The threat has both targeted and indiscriminate forms.</summary>
    Both,
}

/// <summary>The security property an attack breaks (Barreno et al.'s integrity/availability, plus confidentiality); several may apply.</summary>
[Flags]
public enum Violation
{
    /// <summary>No property named.</summary>
    None = 0,

    /// <summary>Bad inputs are let through (false negatives) or outputs are wrong in the attacker's favour.</summary>
    Integrity = 1,

    /// <summary>Good inputs are blocked or accuracy collapses (false positives, denial of service).</summary>
    Availability = 2,

    /// <summary>Training data or the model itself leaks.</summary>
    Confidentiality = 4,
}

/// <summary>The Barreno taxonomy of one threat.</summary>
/// <param name="Influence">Causative, exploratory, both or neither.</param>
/// <param name="Specificity">Targeted, indiscriminate or both.</param>
/// <param name="Violation">The properties violated.</param>
public sealed record ThreatTaxonomy(Influence Influence, Specificity Specificity, Violation Violation)
{
    /// <summary>The axes as short lower-case text, such as "causative, targeted, integrity".</summary>
    public override string ToString() =>
        $"{Words(Influence, Influence.None, "—")}, {Specificity.ToString().ToLowerInvariant()}, {Words(Violation, Violation.None, "—")}";

    private static string Words<T>(T value, T none, string empty)
        where T : struct, Enum =>
        EqualityComparer<T>.Default.Equals(value, none)
            ? empty
            : string.Join("/", value.ToString().Split(", ").Select(w => w.ToLowerInvariant()));
}
