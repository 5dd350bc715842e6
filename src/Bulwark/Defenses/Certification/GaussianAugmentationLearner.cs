using Bulwark.Data;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Defenses.Certification;

/// <summary>Options of <see cref="GaussianAugmentationLearner"/>.</summary>
public sealed record GaussianAugmentationOptions
{
    /// <summary>Standard deviation σ of the training noise; use the σ the model will be smoothed with (0.25).</summary>
    public float Sigma { get; init; } = 0.25f;

    /// <summary>The training loop (Adam at 10⁻³, batches of 128, 10 epochs by default).</summary>
    public TrainingRecipe Training { get; init; } = new();
}

/// <summary>
/// Trains the base classifier of <see cref="RandomizedSmoothing"/> as Cohen, Rosenfeld &amp; Kolter
/// (ICML 2019) do: every batch gets fresh Gaussian noise N(0, σ²I), not clipped to the input bounds,
/// so the classifier learns to vote for the class under the noise it will be smoothed with. Costs as
/// much as standard training; runs on the engine's <c>Trainer</c>.
/// </summary>
/// <param name="architecture">Builds the untrained module from a seed (the recipe's).</param>
/// <param name="options">σ and the training loop.</param>
public sealed class GaussianAugmentationLearner(Func<ulong, Module> architecture, GaussianAugmentationOptions? options = null) : ILearner
{
    private readonly Func<ulong, Module> architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));

    /// <summary>The options the learner trains with.</summary>
    public GaussianAugmentationOptions Options { get; } = Validate(options ?? new());

    /// <summary>Trains a fresh model on noisy copies of <paramref name="data"/>.</summary>
    public EngineClassifier Fit(Dataset data) =>
        RobustTraining.Fit(data, architecture, Options.Training, "gaussian augmentation", (_, x, _, seed) =>
            new BatchObjective(x.Add(Tensor.Normal(new Rng(seed), 0f, Options.Sigma, x.Shape.ToArray())), (logits, y) => Losses.CrossEntropy(logits, y)));

    IClassifier ILearner.Fit(Dataset data) => Fit(data);

    private static GaussianAugmentationOptions Validate(GaussianAugmentationOptions o)
    {
        if (!(o.Sigma >= 0 && float.IsFinite(o.Sigma)))
            throw new BulwarkInputException($"gaussian augmentation: σ must be a finite number ≥ 0, got {o.Sigma}");
        ArgumentNullException.ThrowIfNull(o.Training);
        o.Training.Validate("gaussian augmentation");
        return o;
    }
}
