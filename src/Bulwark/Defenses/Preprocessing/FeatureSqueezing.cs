using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Preprocessing;

/// <summary>Options of <see cref="FeatureSqueezing"/>; the defaults are Xu et al.'s best MNIST squeezer.</summary>
public sealed record FeatureSqueezingOptions
{
    /// <summary>Bits kept per value, 1 to 8 (1 for MNIST, 5 for CIFAR-10 and ImageNet in the paper).</summary>
    public int BitDepth { get; init; } = 1;

    /// <summary>A median window applied after the bit-depth reduction; null for none.</summary>
    public int? MedianWindow { get; init; }
}

/// <summary>
/// Feature squeezing (Xu, Evans &amp; Qi, "Feature Squeezing: Detecting Adversarial Examples in Deep
/// Neural Networks", NDSS 2018). Defends against T7 as an input preprocessor (and, compared with the
/// raw prediction, as the <c>FeatureSqueezingDetector</c>). Reduces the colour depth to b bits,
/// x ↦ lo + round((x − lo)/range · (2ᵇ − 1))/(2ᵇ − 1) · range (ties to even), then optionally
/// median-smooths (<see cref="SpatialSmoothing"/>). Rounding is flat almost everywhere, so the
/// output carries no gradient: a gradient attack through it sees nothing (gradient masking) until
/// it uses BPDA, and robustness measured without BPDA is not robustness.
/// </summary>
public sealed class FeatureSqueezing : IInputPreprocessor
{
    /// <summary>Creates the squeezer.</summary>
    public FeatureSqueezing(FeatureSqueezingOptions? options = null)
    {
        Options = options ?? new();
        if (Options.BitDepth is < 1 or > 8)
            throw new BulwarkInputException($"feature squeezing: the bit depth must be 1 to 8, got {Options.BitDepth}");
        if (Options.MedianWindow is < 1)
            throw new BulwarkInputException($"feature squeezing: the median window must be at least 1, got {Options.MedianWindow}");
    }

    /// <summary>The options.</summary>
    public FeatureSqueezingOptions Options { get; }

    /// <inheritdoc />
    public string Name => $"bit-depth-{Options.BitDepth}" + (Options.MedianWindow is { } k ? $"+median-{k}x{k}" : "");

    /// <inheritdoc />
    public bool IsRandomised => false;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, InputBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(batch);
        float levels = (1 << Options.BitDepth) - 1;
        var squeezed = batch.Detach().Add(-bounds.Lower).Mul(levels / bounds.Range).RoundHalfEven().Mul(bounds.Range / levels).Add(bounds.Lower);
        return Options.MedianWindow is { } k ? SpatialSmoothing.Median(squeezed, k) : squeezed;
    }
}
