using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="Fgsm"/>.</summary>
public sealed record FgsmOptions
{
    /// <summary>Budget; 0.25 is Goodfellow et al.'s MNIST setting on [0, 1] pixels.</summary>
    public float Epsilon { get; init; } = 0.25f;

    /// <summary>L∞ gives the signed step of the paper; L2 the normalised-gradient variant (FGM).</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 256;
}

/// <summary>
/// Fast Gradient Sign Method (Goodfellow, Shlens &amp; Szegedy, "Explaining and Harnessing
/// Adversarial Examples", ICLR 2015). Threat T7 (white-box evasion). One step:
/// x' = clip(x + ε·sign(∇ₓ CE(f(x), y)), lo, hi); with L2, x + ε·∇/‖∇‖₂. Targeted runs descend the
/// loss of the target class instead. Input [N, ...] in the model's bounds.
/// </summary>
public sealed class Fgsm(FgsmOptions? options = null) : EvasionAttack("fgsm", (options ?? new()).Norm, (options ?? new()).BatchSize, 0)
{
    private readonly FgsmOptions options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var g = context.AdversarialGradient(x, criterion);
        return context.Clip(x.Add(Norms.SteepestDirection(g, Norm).Mul(epsilon)));
    }
}
