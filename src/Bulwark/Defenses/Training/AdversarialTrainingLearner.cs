using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Defenses.Training;

/// <summary>
/// Options of <see cref="AdversarialTrainingLearner"/>; the defaults are Madry et al.'s MNIST
/// setting: L∞ ε = 0.3, 40 PGD steps of 0.01 from a random start, Adam at 10⁻⁴ on batches of 50
/// for 100,000 steps (83 epochs of MNIST's 60,000 images).
/// </summary>
public sealed record AdversarialTrainingOptions
{
    /// <summary>The training budget (0.3 on [0, 1] pixels for MNIST; 8/255 for CIFAR-10).</summary>
    public float Epsilon { get; init; } = 0.3f;

    /// <summary>The norm of the budget.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>PGD iterations per batch (40 for MNIST; 7 for CIFAR-10).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>PGD step size (0.01 for MNIST; 2/255 for CIFAR-10).</summary>
    public float StepSize { get; init; } = 0.01f;

    /// <summary>Start each PGD run from a uniform point of the ε-ball (the paper does).</summary>
    public bool RandomStart { get; init; } = true;

    /// <summary>
    /// Weight λ of the clean loss: (1 − λ)·CE(x') + λ·CE(x). Madry et al. train on adversarial
    /// examples only (0); Goodfellow et al. (2015) mix half and half (0.5).
    /// </summary>
    public float CleanWeight { get; init; }

    /// <summary>The outer loop: Adam, learning rate 10⁻⁴, batches of 50, 83 epochs.</summary>
    public TrainingRecipe Training { get; init; } = new() { Epochs = 83, BatchSize = 50, LearningRate = 1e-4f };
}

/// <summary>
/// PGD adversarial training (Madry, Makelov, Schmidt, Tsipras &amp; Vladu, "Towards Deep Learning
/// Models Resistant to Adversarial Attacks", ICLR 2018). Defends against T7. Solves the saddle-point
/// problem min_θ E max_{‖δ‖≤ε} CE(f_θ(x + δ), y) by replacing every training batch with its PGD
/// adversarial examples (<see cref="Pgd"/>, cross-entropy, random start) before the optimiser step.
/// </summary>
/// <remarks>
/// The inner PGD runs with the model in evaluation mode, then the step runs in training mode.
/// Madry et al.'s MNIST network has no layer whose behaviour depends on the mode, so the choice does
/// not arise there; with batch norm or dropout, evaluation mode keeps the attack's forward passes out
/// of the running statistics and its gradients deterministic. Costs about Steps + 1 times standard
/// training. Inputs are the dataset's samples [N, ..]; the result is an <see cref="EngineClassifier"/>
/// over the trained module, bounded by the dataset's input bounds.
/// </remarks>
/// <param name="architecture">Builds the untrained module from a seed (the recipe's).</param>
/// <param name="options">Budget, attack and training loop.</param>
public sealed class AdversarialTrainingLearner(Func<ulong, Module> architecture, AdversarialTrainingOptions? options = null) : ILearner
{
    private const string Who = "adversarial training";
    private readonly Func<ulong, Module> architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));

    /// <summary>The options the learner trains with.</summary>
    public AdversarialTrainingOptions Options { get; } = Validate(options ?? new());

    /// <summary>Trains a fresh model on PGD adversarial examples of <paramref name="data"/>.</summary>
    public EngineClassifier Fit(Dataset data) =>
        RobustTraining.Fit(data, architecture, Options.Training, Who, (view, x, y, seed) =>
        {
            var attack = new Pgd(new PgdOptions
            {
                Epsilon = Options.Epsilon,
                Norm = Options.Norm,
                Steps = Options.Steps,
                StepSize = Options.StepSize,
                RandomStart = Options.RandomStart,
                BatchSize = Math.Max(1, x.Shape[0]),
                Seed = seed,
            });
            var adversarial = attack.Run(view, x, y).Adversarial;
            float w = Options.CleanWeight;
            if (w == 0)
                return new BatchObjective(adversarial, (logits, labels) => Losses.CrossEntropy(logits, labels));
            return new BatchObjective(adversarial, (logits, labels) =>
                Losses.CrossEntropy(logits, labels).Mul(1 - w).Add(Losses.CrossEntropy(view.Model.Forward(x), labels).Mul(w)));
        });

    IClassifier ILearner.Fit(Dataset data) => Fit(data);

    private static AdversarialTrainingOptions Validate(AdversarialTrainingOptions o)
    {
        AttackInput.CheckEpsilon(o.Epsilon);
        if (o.Steps < 1 || !(o.StepSize > 0 && float.IsFinite(o.StepSize)) || !(o.CleanWeight is >= 0 and <= 1))
            throw new BulwarkInputException($"{Who}: steps ({o.Steps}) must be at least 1, the step size ({o.StepSize}) positive and the clean weight ({o.CleanWeight}) in [0, 1]");
        ArgumentNullException.ThrowIfNull(o.Training);
        o.Training.Validate(Who);
        return o;
    }
}
