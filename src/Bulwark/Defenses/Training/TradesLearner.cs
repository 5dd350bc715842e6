using Bulwark.Attacks.Evasion;
using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Engine.Optim;
using Bulwark.Models;

namespace Bulwark.Defenses.Training;

/// <summary>
/// Options of <see cref="TradesLearner"/>; the defaults are Zhang et al.'s MNIST setting with the
/// paper's headline trade-off 1/λ = β = 6: L∞ ε = 0.3, 40 steps of 0.01 on the KL divergence from a
/// start 0.001·N(0, I) away, SGD with momentum 0.9 at 0.01 on batches of 128 for 100 epochs.
/// </summary>
public sealed record TradesOptions
{
    /// <summary>Weight β of the robustness term (6 in the paper's tables; larger trades accuracy for robustness).</summary>
    public float Beta { get; init; } = 6f;

    /// <summary>The training budget (0.3 for MNIST; 0.031 for CIFAR-10).</summary>
    public float Epsilon { get; init; } = 0.3f;

    /// <summary>The norm of the budget.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>Ascent steps on the KL divergence (40 for MNIST; 10 for CIFAR-10).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Step size (0.01 for MNIST; 0.007 for CIFAR-10).</summary>
    public float StepSize { get; init; } = 0.01f;

    /// <summary>Standard deviation of the Gaussian start around the clean input (0.001).</summary>
    public float StartNoise { get; init; } = 0.001f;

    /// <summary>The outer loop: SGD with momentum 0.9, learning rate 0.01, batches of 128, 100 epochs (the paper also divides the rate by 10 at epoch 55).</summary>
    public TrainingRecipe Training { get; init; } = new()
    {
        Epochs = 100,
        BatchSize = 128,
        LearningRate = 0.01f,
        Optimizer = (parameters, lr) => new Sgd(parameters, lr, momentum: 0.9f),
    };
}

/// <summary>
/// TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui &amp; Jordan, "Theoretically Principled Trade-off between
/// Robustness and Accuracy", ICML 2019). Defends against T7. Minimises
/// CE(f(x), y) + β·KL(f(x) ‖ f(x')) per batch, where f gives class probabilities and x' maximises the
/// KL term inside the ε-ball: projected sign-gradient ascent on KL(f(x) ‖ f(x')) from x + 0.001·N(0, I).
/// The clean term keeps accuracy; the KL term makes the output flat around each sample.
/// </summary>
/// <remarks>
/// As in the authors' code, the inner ascent runs with the model in evaluation mode and the loss
/// (both terms, gradients flowing through f(x) and f(x')) in training mode. Costs about Steps + 2
/// times standard training. The result is an <see cref="EngineClassifier"/> bounded by the dataset's
/// input bounds.
/// </remarks>
/// <param name="architecture">Builds the untrained module from a seed (the recipe's).</param>
/// <param name="options">β, budget, inner ascent and training loop.</param>
public sealed class TradesLearner(Func<ulong, Module> architecture, TradesOptions? options = null) : ILearner
{
    private const string Who = "trades";
    private readonly Func<ulong, Module> architecture = architecture ?? throw new ArgumentNullException(nameof(architecture));

    /// <summary>The options the learner trains with.</summary>
    public TradesOptions Options { get; } = Validate(options ?? new());

    /// <summary>Trains a fresh model with the TRADES loss on <paramref name="data"/>.</summary>
    public EngineClassifier Fit(Dataset data) =>
        RobustTraining.Fit(data, architecture, Options.Training, Who, (view, x, y, seed) =>
        {
            var adversarial = MaximiseKl(view, x, seed);
            float beta = Options.Beta;
            return new BatchObjective(x, (logits, labels) =>
            {
                var robust = Losses.KLDiv(view.Model.Forward(adversarial).LogSoftmax(1), logits.Softmax(1));
                return Losses.CrossEntropy(logits, labels).Add(robust.Mul(beta));
            });
        });

    IClassifier ILearner.Fit(Dataset data) => Fit(data);

    /// <summary>x' = argmax over the ε-ball of KL(f(x) ‖ f(x')), by projected steepest ascent.</summary>
    internal Tensor MaximiseKl(IGradientClassifier model, Tensor x, ulong seed)
    {
        var o = Options;
        var bounds = model.Bounds;
        Tensor clean;
        using (Tape.NoGrad())
            clean = model.Logits(x).Softmax(1);
        var adv = x.Add(Tensor.Normal(new Rng(seed), 0f, o.StartNoise, x.Shape.ToArray()));
        for (int step = 0; step < o.Steps; step++)
        {
            var input = adv.Detach().RequiresGradient();
            var kl = Losses.KLDiv(model.Forward(input).LogSoftmax(1), clean, KLDivReduction.Sum);
            var g = Tape.Grad(kl, [input])[0];
            var moved = adv.Add(Norms.SteepestDirection(g, o.Norm).Mul(o.StepSize));
            adv = x.Add(Norms.Project(moved.Sub(x), o.Norm, o.Epsilon)).Clamp(bounds.Lower, bounds.Upper);
        }
        return adv.Detach();
    }

    private static TradesOptions Validate(TradesOptions o)
    {
        AttackInput.CheckEpsilon(o.Epsilon);
        if (!(o.Beta >= 0 && float.IsFinite(o.Beta)) || o.Steps < 1 || !(o.StepSize > 0 && float.IsFinite(o.StepSize)) || !(o.StartNoise >= 0))
            throw new BulwarkInputException($"{Who}: β ({o.Beta}) and the start noise ({o.StartNoise}) must be ≥ 0, steps ({o.Steps}) at least 1 and the step size ({o.StepSize}) positive");
        ArgumentNullException.ThrowIfNull(o.Training);
        o.Training.Validate(Who);
        return o;
    }
}
