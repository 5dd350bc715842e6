using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Preprocessing;

/// <summary>Options of <see cref="RandomNoise"/>.</summary>
public sealed record RandomNoiseOptions
{
    /// <summary>Standard deviation of the noise, in input units (0.2 on [0, 1] pixels by default).</summary>
    public float Sigma { get; init; } = 0.2f;

    /// <summary>Seed of the noise; each call to <see cref="RandomNoise.Apply"/> draws afresh from it.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Gaussian noise added to the input at inference, then clipped to the bounds: the input layer of
/// random self-ensemble (Liu, Cheng, Zhang &amp; Hsieh, "Towards Robust Neural Networks via Random
/// Self-ensemble", ECCV 2018) and the simplest randomised defence (threat T7). Its gradient at one
/// draw is the model's, taken at a noisy point; an honest attack averages over draws with
/// <c>ExpectationOverTransformation</c>. Deterministic for its seed and call sequence.
/// </summary>
public sealed class RandomNoise : IInputPreprocessor
{
    private readonly Rng rng;

    /// <summary>Creates the preprocessor.</summary>
    public RandomNoise(RandomNoiseOptions? options = null)
    {
        Options = options ?? new();
        if (!(Options.Sigma >= 0 && float.IsFinite(Options.Sigma)))
            throw new BulwarkInputException($"random noise: σ must be a finite number ≥ 0, got {Options.Sigma}");
        rng = new Rng(Options.Seed);
    }

    /// <summary>The options.</summary>
    public RandomNoiseOptions Options { get; }

    /// <inheritdoc />
    public string Name => $"gaussian-noise-{Options.Sigma}";

    /// <inheritdoc />
    public bool IsRandomised => true;

    /// <inheritdoc />
    public Tensor Apply(Tensor batch, InputBounds bounds)
    {
        ArgumentNullException.ThrowIfNull(batch);
        return batch.Add(Tensor.Normal(rng, 0f, Options.Sigma, batch.Shape.ToArray())).Clamp(bounds.Lower, bounds.Upper);
    }
}
