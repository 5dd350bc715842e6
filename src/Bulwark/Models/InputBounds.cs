using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// The box every valid input lies in, per element: images are usually [0, 1]. Attacks clip
/// to it and defences assume it. Rejects NaN, infinities and an empty interval.
/// </summary>
public readonly record struct InputBounds
{
    /// <summary>Creates bounds; <paramref name="lower"/> must be below <paramref name="upper"/> and both finite.</summary>
    public InputBounds(float lower, float upper)
    {
        if (!float.IsFinite(lower) || !float.IsFinite(upper) || !(lower < upper))
            throw new BulwarkInputException($"input bounds [{lower}, {upper}] are not a finite, non-empty interval");
        Lower = lower;
        Upper = upper;
    }

    /// <summary>The unit interval [0, 1], the default for images.</summary>
    public static InputBounds Unit { get; } = new(0f, 1f);

    /// <summary>Smallest valid value of an input element.</summary>
    public float Lower { get; }

    /// <summary>Largest valid value of an input element.</summary>
    public float Upper { get; }

    /// <summary>Upper minus lower.</summary>
    public float Range => Upper - Lower;

    /// <inheritdoc />
    public override string ToString() => $"[{Lower}, {Upper}]";
}
