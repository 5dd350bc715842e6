using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="Pgd"/>; defaults are Madry et al.'s MNIST setting.</summary>
public sealed record PgdOptions
{
    /// <summary>Budget (0.3 on [0, 1] pixels for MNIST in the paper).</summary>
    public float Epsilon { get; init; } = 0.3f;

    /// <summary>The norm of the budget and of the steepest-ascent step.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>Iterations (40 in the paper's MNIST attack).</summary>
    public int Steps { get; init; } = 40;

    /// <summary>Step size; null means 2.5·ε/steps, the rule of thumb of Madry et al.</summary>
    public float? StepSize { get; init; }

    /// <summary>Start from a uniform random point of the ε-ball (the paper does).</summary>
    public bool RandomStart { get; init; } = true;

    /// <summary>Independent random restarts; a sample counts as broken if any restart breaks it.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>For L1 steps, the fraction of coordinates moved per step.</summary>
    public double L1Sparsity { get; init; } = 0.01;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the random starts.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Projected Gradient Descent (Madry, Makelov, Schmidt, Tsipras &amp; Vladu, "Towards Deep
/// Learning Models Resistant to Adversarial Attacks", ICLR 2018). Threat T7. From a random point of
/// the ε-ball, repeat: step along the steepest-ascent direction of the loss for the norm (sign for
/// L∞, normalised gradient for L2, sparse signed step for L1), project onto the ball, clip to the
/// box. Restarts keep, per sample, the first adversarial point found. Input [N, ...].
/// </summary>
public sealed class Pgd(PgdOptions? options = null) : EvasionAttack("pgd", (options ?? new()).Norm, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private readonly PgdOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        float alpha = options.StepSize ?? 2.5f * epsilon / options.Steps;
        Tensor? best = null;
        bool[]? broken = null;
        for (int r = 0; r < options.Restarts; r++)
        {
            var adv = options.RandomStart ? GradientSteps.RandomStart(context, x, Norm, epsilon) : x;
            for (int step = 0; step < options.Steps; step++)
            {
                var g = context.AdversarialGradient(adv, criterion);
                adv = GradientSteps.Step(context, x, adv, Norms.SteepestDirection(g, Norm, options.L1Sparsity), alpha, Norm, epsilon);
            }
            if (options.Restarts == 1)
                return adv;
            var hit = criterion.IsAdversarial(context.Scores(adv));
            if (best is null || broken is null)
            {
                (best, broken) = (adv, hit);
                continue;
            }
            best = Merge(best, adv, broken, hit);
        }
        return best!;
    }

    /// <summary>Keeps rows of <paramref name="best"/> already broken; takes the others from <paramref name="candidate"/>.</summary>
    internal static Tensor Merge(Tensor best, Tensor candidate, bool[] broken, bool[] hit)
    {
        int n = best.Shape[0];
        var mask = new float[n];
        for (int i = 0; i < n; i++)
        {
            mask[i] = broken[i] ? 1f : 0f;
            broken[i] |= hit[i];
        }
        int[] shape = [n, .. Enumerable.Repeat(1, best.Rank - 1)];
        var keep = Tensor.FromArray(mask, shape);
        return Tensor.Where(keep.GreaterThan(0.5f), best, candidate);
    }

    private static PgdOptions Validate(PgdOptions o)
    {
        AttackInput.CheckEpsilon(o.Epsilon);
        if (o.Steps < 1 || o.Restarts < 1)
            throw new BulwarkInputException($"pgd: steps ({o.Steps}) and restarts ({o.Restarts}) must be at least 1");
        if (o.StepSize is { } a && !(a > 0 && float.IsFinite(a)))
            throw new BulwarkInputException($"pgd: step size must be positive, got {a}");
        return o;
    }
}
