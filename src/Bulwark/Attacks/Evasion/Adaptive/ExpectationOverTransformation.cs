using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion.Adaptive;

/// <summary>Options of <see cref="ExpectationOverTransformation"/>.</summary>
public sealed record EotOptions
{
    /// <summary>Draws of the randomised model per evaluation; the gradient's variance falls as 1/K at K times the cost (10).</summary>
    public int Samples { get; init; } = 10;

    /// <summary>Most samples per forward pass of the averaged model.</summary>
    public int MaxBatchSize { get; init; } = EngineClassifier.DefaultMaxBatchSize;
}

/// <summary>
/// Expectation over Transformation (Athalye, Engstrom, Ilyas &amp; Kwok, "Synthesizing Robust
/// Adversarial Examples", ICML 2018; used against randomised defences by Athalye, Carlini &amp;
/// Wagner, ICML 2018). Turns a randomised white-box model into the deterministic-looking model an
/// adaptive attack should target: its probabilities are the mean of K draws,
/// p̄(x) = (1/K) Σₖ softmax(f(tₖ(x))), and its logits are log p̄(x), so the cross-entropy an attack
/// ascends is −log p̄_y(x) and its gradient is a Monte Carlo estimate of the gradient of the
/// expected prediction. Any evasion attack run on this wrapper is an EOT attack.
/// </summary>
/// <remarks>
/// The wrapped model draws its own randomness (e.g. a <c>PreprocessedClassifier</c> over
/// <c>RandomNoise</c>), so results are deterministic for its seed and the sequence of calls.
/// </remarks>
public sealed class ExpectationOverTransformation : GradientClassifierBase
{
    /// <summary>Averages <paramref name="model"/> over <see cref="EotOptions.Samples"/> draws per call.</summary>
    public ExpectationOverTransformation(IGradientClassifier model, EotOptions? options = null)
        : base((model ?? throw new ArgumentNullException(nameof(model))).InputShape, model.ClassCount, model.Bounds, (options ?? new()).MaxBatchSize)
    {
        Model = model;
        Options = options ?? new();
        if (Options.Samples < 1)
            throw new BulwarkInputException($"EOT: samples must be at least 1, got {Options.Samples}");
    }

    /// <summary>The randomised model.</summary>
    public IGradientClassifier Model { get; }

    /// <summary>The options.</summary>
    public EotOptions Options { get; }

    /// <inheritdoc />
    protected override Tensor ForwardCore(Tensor batch)
    {
        var sum = Model.Forward(batch).Softmax(1);
        for (int k = 1; k < Options.Samples; k++)
            sum = sum.Add(Model.Forward(batch).Softmax(1));
        return sum.Mul(1f / Options.Samples).Clamp(1e-30f, 1f).Log();
    }
}
