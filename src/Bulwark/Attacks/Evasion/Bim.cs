using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="Bim"/>.</summary>
public sealed record BimOptions
{
    /// <summary>L∞ budget on [0, 1] inputs.</summary>
    public float Epsilon { get; init; } = 0.1f;

    /// <summary>Step size; null means 1/255, one intensity level, as in the paper.</summary>
    public float? StepSize { get; init; }

    /// <summary>Iterations; null means min(255ε + 4, 1.25·255ε), the paper's rule.</summary>
    public int? Steps { get; init; }

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// Basic Iterative Method (Kurakin, Goodfellow &amp; Bengio, "Adversarial Examples in the Physical
/// World", ICLR workshop 2017). Threat T7. Iterated FGSM without a random start: α = 1 intensity
/// level per step, clipped to the ε-ball and the box after each step. L∞ only. Input [N, ...].
/// </summary>
public sealed class Bim(BimOptions? options = null) : EvasionAttack("bim", NormKind.Linf, (options ?? new()).BatchSize, 0)
{
    private readonly BimOptions options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        float alpha = options.StepSize ?? 1f / 255f;
        int steps = options.Steps ?? Math.Max(1, (int)Math.Ceiling(Math.Min((255 * epsilon) + 4, 1.25 * 255 * epsilon)));
        var adv = x;
        for (int i = 0; i < steps; i++)
        {
            var g = context.AdversarialGradient(adv, criterion);
            adv = GradientSteps.Step(context, x, adv, g.Sign(), alpha, NormKind.Linf, epsilon);
        }
        return adv;
    }
}
