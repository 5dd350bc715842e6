using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="MiFgsm"/>; defaults are the paper's.</summary>
public sealed record MiFgsmOptions
{
    /// <summary>L∞ budget.</summary>
    public float Epsilon { get; init; } = 0.1f;

    /// <summary>Iterations (10 in the paper); the step is ε/steps.</summary>
    public int Steps { get; init; } = 10;

    /// <summary>Decay of the accumulated gradient (μ = 1.0 in the paper).</summary>
    public float Decay { get; init; } = 1.0f;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// Momentum Iterative FGSM (Dong et al., "Boosting Adversarial Attacks with Momentum", CVPR 2018).
/// Threat T7. Accumulates g ← μ·g + ∇/‖∇‖₁ per sample and steps x ← x + (ε/T)·sign(g), which
/// escapes poor local maxima and transfers better to other models. L∞. Input [N, ...].
/// </summary>
public sealed class MiFgsm(MiFgsmOptions? options = null) : EvasionAttack("mi-fgsm", NormKind.Linf, (options ?? new()).BatchSize, 0)
{
    private readonly MiFgsmOptions options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (options.Steps < 1)
            throw new BulwarkInputException($"mi-fgsm: steps must be at least 1, got {options.Steps}");
        float alpha = epsilon / options.Steps;
        var adv = x;
        var momentum = Tensor.ZerosLike(x);
        int[] rowShape = [x.Shape[0], .. Enumerable.Repeat(1, x.Rank - 1)];
        for (int i = 0; i < options.Steps; i++)
        {
            var g = context.AdversarialGradient(adv, criterion);
            var l1 = Tensor.FromArray(Norms.Measure(g, NormKind.L1), rowShape).Clamp(1e-12f, float.MaxValue);
            momentum = momentum.Mul(options.Decay).Add(g.Div(l1));
            adv = GradientSteps.Step(context, x, adv, momentum.Sign(), alpha, NormKind.Linf, epsilon);
        }
        return adv;
    }
}
