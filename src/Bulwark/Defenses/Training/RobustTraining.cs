using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Training;
using Bulwark.Models;

namespace Bulwark.Defenses.Training;

/// <summary>What one batch of a training-time defence steps on: the input of the forward pass and the loss of its logits.</summary>
/// <param name="Input">The batch the trainer's forward pass sees.</param>
/// <param name="Loss">The mean loss of those logits against the labels (it may run further forward passes).</param>
internal readonly record struct BatchObjective(Tensor Input, Func<Tensor, LongTensor, Tensor> Loss);

/// <summary>
/// The loop the training-time defences share, on the engine's <see cref="Trainer"/>: a fresh model
/// from the architecture factory, seeded shuffled batches, and per batch the defence's inner
/// maximisation with the model in evaluation mode, then one optimiser step in training mode.
/// </summary>
internal static class RobustTraining
{
    /// <summary>Trains a model on <paramref name="data"/>; <paramref name="prepare"/> gets the model's white-box view, a batch and a seed.</summary>
    public static EngineClassifier Fit(
        Dataset data, Func<ulong, Module> architecture, TrainingRecipe recipe, string who,
        Func<EngineClassifier, Tensor, LongTensor, ulong, BatchObjective> prepare)
    {
        ArgumentNullException.ThrowIfNull(data);
        var model = architecture(recipe.Seed) ?? throw new BulwarkInputException($"{who}: the architecture factory returned null");
        var view = new EngineClassifier(model, data.SampleShape, data.ClassCount, data.Info.Bounds);
        Func<Tensor, LongTensor, Tensor>? loss = null;
        var trainer = new Trainer(model, recipe.CreateOptimizer(model.Parameters()),
            new TrainerOptions { Epochs = recipe.Epochs, BatchSize = recipe.BatchSize, Seed = recipe.Seed, MaxGradNorm = recipe.MaxGradNorm },
            (logits, y) => loss!(logits, y));
        var loader = new DataLoader(data.Features, data.Labels, recipe.BatchSize, shuffle: true, rng: new Rng(recipe.Seed));
        var attackSeeds = new Rng(recipe.Seed ^ 0x5EED_A77AC4UL);
        for (int epoch = 1; epoch <= recipe.Epochs; epoch++)
        {
            int batch = 0;
            foreach (var (x, y) in loader)
            {
                model.Eval();
                var objective = prepare(view, x, y, attackSeeds.NextUInt64());
                model.Train();
                loss = objective.Loss;
                var (value, _) = trainer.Step(objective.Input, y);
                batch++;
                if (!double.IsFinite(value))
                    throw new BulwarkInputException($"{who}: the loss became {value} at epoch {epoch}, batch {batch}; lower the learning rate");
            }
        }
        model.Eval();
        return view;
    }
}
