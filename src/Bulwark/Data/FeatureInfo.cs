using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Data;

/// <summary>
/// What the features of a dataset mean: their kind, the box they lie in, and for tables the
/// per-column names and constraints.
/// </summary>
public sealed record FeatureInfo
{
    /// <summary>Creates feature metadata; a per-feature list, when given, must match the feature count.</summary>
    public FeatureInfo(FeatureKind kind, InputBounds bounds, IReadOnlyList<FeatureConstraint>? features = null, IReadOnlyList<string>? classNames = null)
    {
        Kind = kind;
        Bounds = bounds;
        Features = features ?? [];
        ClassNames = classNames ?? [];
        foreach (var f in Features)
            if (f.Lower < bounds.Lower || f.Upper > bounds.Upper)
                throw new BulwarkInputException($"feature '{f.Name}': bounds [{f.Lower}, {f.Upper}] lie outside the dataset's bounds {bounds}");
    }

    /// <summary>Images, tables or vectorised text.</summary>
    public FeatureKind Kind { get; }

    /// <summary>The box every feature value lies in (the loosest per-feature bound for tables).</summary>
    public InputBounds Bounds { get; }

    /// <summary>Per-feature names and constraints (tables); empty when features are anonymous.</summary>
    public IReadOnlyList<FeatureConstraint> Features { get; }

    /// <summary>Human names of the classes, index = label; empty when unknown.</summary>
    public IReadOnlyList<string> ClassNames { get; }
}
