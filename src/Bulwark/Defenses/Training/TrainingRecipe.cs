using Bulwark.Engine;
using Bulwark.Engine.Optim;

namespace Bulwark.Defenses.Training;

/// <summary>
/// The outer loop of a training-time defence: epochs, batch size, optimiser and seed. The seed
/// fixes the initial weights (it is passed to the architecture factory), the batch order and every
/// random start of the inner attack, so a recipe trains the same model on every run.
/// </summary>
public sealed record TrainingRecipe
{
    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Rows per optimisation step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>The optimiser's learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Builds the optimiser from the parameters and <see cref="LearningRate"/>; Adam when null.</summary>
    public Func<IEnumerable<Tensor>, float, Optimizer>? Optimizer { get; init; }

    /// <summary>Clip the global gradient norm before each step (null: no clipping).</summary>
    public float? MaxGradNorm { get; init; }

    /// <summary>Seed of the weights, the batch order and the inner attack.</summary>
    public ulong Seed { get; init; }

    internal Optimizer CreateOptimizer(IEnumerable<Tensor> parameters) =>
        Optimizer?.Invoke(parameters, LearningRate) ?? new Adam(parameters, LearningRate);

    internal void Validate(string who)
    {
        if (Epochs < 1 || BatchSize < 1 || !(LearningRate > 0 && float.IsFinite(LearningRate)) || MaxGradNorm is <= 0)
            throw new BulwarkInputException($"{who}: epochs ({Epochs}) and batch size ({BatchSize}) must be at least 1, the learning rate ({LearningRate}) and max grad norm ({MaxGradNorm}) positive");
    }
}
