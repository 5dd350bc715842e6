using Bulwark.Engine;

namespace Bulwark.Data;

/// <summary>
/// What an attacker may do to one tabular feature: its valid range, whether it must stay an
/// integer, and whether it may change at all (e.g. age or account id).
/// </summary>
public sealed record FeatureConstraint
{
    /// <summary>Creates a constraint; bounds must be finite and ordered.</summary>
    public FeatureConstraint(string name, float lower, float upper, bool integer = false, bool immutable = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!float.IsFinite(lower) || !float.IsFinite(upper) || lower > upper)
            throw new BulwarkInputException($"feature '{name}': bounds [{lower}, {upper}] are not a finite, ordered interval");
        Name = name;
        Lower = lower;
        Upper = upper;
        Integer = integer;
        Immutable = immutable;
    }

    /// <summary>The column name.</summary>
    public string Name { get; }

    /// <summary>Smallest valid value.</summary>
    public float Lower { get; }

    /// <summary>Largest valid value.</summary>
    public float Upper { get; }

    /// <summary>Whether the value must stay an integer (counts, categories).</summary>
    public bool Integer { get; }

    /// <summary>Whether an attacker may not change it at all.</summary>
    public bool Immutable { get; }
}
