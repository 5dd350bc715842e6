using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Preprocessing;

/// <summary>Options of <see cref="SpatialSmoothing"/>.</summary>
public sealed record SpatialSmoothingOptions
{
    /// <summary>Side of the square median window (2 for MNIST and CIFAR-10, 3 for ImageNet in Xu et al.).</summary>
    public int Window { get; init; } = 2;
}

/// <summary>
/// Median smoothing, the local squeezer of feature squeezing (Xu, Evans &amp; Qi, "Feature Squeezing:
/// Detecting Adversarial Examples in Deep Neural Networks", NDSS 2018). Defends against T7 as an
/// input preprocessor. Replaces every pixel by the median of the k×k window over the last two axes
/// of [N, .., H, W], with the edges mirrored (edge pixel repeated) and, for even k, the window
/// reaching one pixel further up/left and the upper of the two middle values taken, as
/// SciPy's median filter does. Differentiable almost everywhere: the gradient goes to the pixel the
/// median selects.
/// </summary>
public sealed class SpatialSmoothing : IInputPreprocessor
{
    /// <summary>Creates the filter.</summary>
    public SpatialSmoothing(SpatialSmoothingOptions? options = null)
    {
        Options = options ?? new();
        if (Options.Window < 1)
            throw new BulwarkInputException($"spatial smoothing: the window must be at least 1, got {Options.Window}");
    }

    /// <summary>The options.</summary>
    public SpatialSmoothingOptions Options { get; }

    /// <inheritdoc />
    public string Name => $"median-{Options.Window}x{Options.Window}";

    /// <inheritdoc />
    public bool IsRandomised => false;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, InputBounds bounds) => Median(batch, Options.Window);

    /// <summary>The k×k median filter over the last two axes, in recorded tensor operations.</summary>
    internal static Tensor Median(Tensor x, int k)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (k == 1)
            return x;
        if (x.Rank < 3)
            throw new BulwarkInputException($"a median filter needs images [N, .., H, W], got rank {x.Rank}");
        int h = x.Shape[^2];
        int w = x.Shape[^1];
        int before = k / 2;
        int after = k - 1 - before;
        if (Math.Max(before, after) > Math.Min(h, w))
            throw new BulwarkInputException($"a {k}×{k} median window is larger than the {h}×{w} image allows");
        var padded = Mirror(Mirror(x, x.Rank - 2, before, after), x.Rank - 1, before, after);
        var shifted = new List<Tensor>(k * k);
        for (int dy = 0; dy < k; dy++)
            for (int dx = 0; dx < k; dx++)
                shifted.Add(padded.Slice(x.Rank - 2, dy, dy + h).Slice(x.Rank - 1, dx, dx + w));
        int rank = k * k / 2;
        var smallest = Tensor.Stack(shifted, x.Rank).TopK(rank + 1, -1, largest: false).Values;
        return smallest.Slice(x.Rank, rank, rank + 1).Reshape(x.Shape.ToArray());
    }

    /// <summary>Pads an axis by mirroring, edge included: (c b a | a b c … x y z | z y x).</summary>
    private static Tensor Mirror(Tensor x, int axis, int before, int after)
    {
        int n = x.Shape[axis];
        var parts = new List<Tensor>(before + after + 1);
        for (int i = before - 1; i >= 0; i--)
            parts.Add(x.Slice(axis, i, i + 1));
        parts.Add(x);
        for (int i = 0; i < after; i++)
            parts.Add(x.Slice(axis, n - 1 - i, n - i));
        return parts.Count == 1 ? x : Tensor.Concat(parts, axis);
    }
}
