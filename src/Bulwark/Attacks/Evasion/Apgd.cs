using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="Apgd"/>; defaults are Croce &amp; Hein's.</summary>
public sealed record ApgdOptions
{
    /// <summary>Budget.</summary>
    public float Epsilon { get; init; } = 0.3f;

    /// <summary>L∞ or L2.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>Iterations (100).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>The loss: cross-entropy (APGD-CE) or the difference of logits ratio (APGD-DLR).</summary>
    public AdversarialLossKind Loss { get; init; } = AdversarialLossKind.CrossEntropy;

    /// <summary>Momentum α (0.75).</summary>
    public float Momentum { get; init; } = 0.75f;

    /// <summary>Fraction ρ of improving steps below which the step size halves at a checkpoint (0.75).</summary>
    public float Rho { get; init; } = 0.75f;

    /// <summary>Random restarts (1).</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Samples per model call.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the random start.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Auto-PGD (Croce &amp; Hein, "Reliable evaluation of adversarial robustness with an ensemble of
/// diverse parameter-free attacks", ICML 2020). Threat T7. PGD with momentum whose step size starts
/// at 2ε and halves at checkpoints p₀ = 0, p₁ = 0.22, p_{j+1} = p_j + max(p_j − p_{j−1} − 0.03, 0.06)
/// when fewer than ρ of the steps since the last checkpoint improved the loss, or when neither the
/// step nor the best loss changed; it then restarts from the best point. Per-sample step sizes;
/// returns the best point found. L∞ and L2; CE or DLR loss.
/// </summary>
public sealed class Apgd(ApgdOptions? options = null) : EvasionAttack("apgd", (options ?? new()).Norm, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private readonly ApgdOptions options = options ?? new();

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <summary>The iteration indices of the checkpoints for <paramref name="steps"/> iterations.</summary>
    public static int[] Checkpoints(int steps)
    {
        var p = new List<double> { 0, 0.22 };
        while (p[^1] < 1)
            p.Add(p[^1] + Math.Max(p[^1] - p[^2] - 0.03, 0.06));
        // Rounded before the ceiling so float noise (0.41 + 0.16 = 0.5700…01) does not move a checkpoint.
        return p.Where(v => v <= 1).Select(v => (int)Math.Ceiling(Math.Round(v * steps, 9))).Distinct().ToArray();
    }

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(criterion);
        if (options.Steps < 1 || options.Restarts < 1)
            throw new BulwarkInputException($"apgd: steps ({options.Steps}) and restarts ({options.Restarts}) must be at least 1");
        Tensor? best = null;
        bool[]? broken = null;
        for (int r = 0; r < options.Restarts; r++)
        {
            var adv = Single(context, x, criterion, epsilon);
            var hit = criterion.IsAdversarial(context.Scores(adv));
            if (best is null || broken is null)
                (best, broken) = (adv, hit);
            else
                best = Pgd.Merge(best, adv, broken, hit);
        }
        return best!;
    }

    private Tensor Single(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        int n = x.Shape[0];
        int[] rowShape = [n, .. Enumerable.Repeat(1, x.Rank - 1)];
        var checkpoints = Checkpoints(options.Steps).ToHashSet();
        var eta = Enumerable.Repeat(2f * epsilon, n).ToArray();
        var etaAtLastCheck = (float[])eta.Clone();
        var x0 = GradientSteps.RandomStart(context, x, Norm, epsilon);
        var (f0, g0, _) = AdversarialLoss.Evaluate(context, x0, criterion, options.Loss);
        var fMax = (float[])f0.Clone();
        var fMaxAtLastCheck = (float[])f0.Clone();
        var xMax = x0;
        var fPrev = (float[])f0.Clone();
        var improved = new int[n];
        int lastCheck = 0;

        Tensor StepFrom(Tensor point, Tensor grad) =>
            GradientSteps.Step(context, x, point, Norms.SteepestDirection(grad, Norm).Mul(Tensor.FromArray(eta, rowShape)), 1f, Norm, epsilon);

        var previous = x0;
        var current = StepFrom(x0, g0);
        for (int k = 1; k < options.Steps; k++)
        {
            var (f, g, _) = AdversarialLoss.Evaluate(context, current, criterion, options.Loss);
            var better = new float[n];
            for (int i = 0; i < n; i++)
            {
                if (f[i] > fMax[i])
                {
                    better[i] = 1;
                    fMax[i] = f[i];
                }
                // The improvement count compares each step with the one before it, as in the paper.
                improved[i] += f[i] > fPrev[i] ? 1 : 0;
                fPrev[i] = f[i];
            }
            xMax = Tensor.Where(Tensor.FromArray(better, rowShape).GreaterThan(0.5f), current, xMax);
            var z = StepFrom(current, g);
            var momentumStep = current.Add(z.Sub(current).Mul(options.Momentum)).Add(current.Sub(previous).Mul(1 - options.Momentum));
            var next = GradientSteps.Step(context, x, momentumStep, Tensor.ZerosLike(x), 0f, Norm, epsilon);
            previous = current;
            current = next;
            if (checkpoints.Contains(k))
            {
                int span = k - lastCheck;
                var restart = new float[n];
                for (int i = 0; i < n; i++)
                {
                    bool tooFew = improved[i] < options.Rho * span;
                    bool stalled = eta[i] == etaAtLastCheck[i] && fMax[i] == fMaxAtLastCheck[i];
                    etaAtLastCheck[i] = eta[i];
                    fMaxAtLastCheck[i] = fMax[i];
                    if (tooFew || stalled)
                    {
                        eta[i] /= 2;
                        restart[i] = 1;
                    }
                    improved[i] = 0;
                }
                var mask = Tensor.FromArray(restart, rowShape).GreaterThan(0.5f);
                current = Tensor.Where(mask, xMax, current);
                previous = Tensor.Where(mask, xMax, previous);
                lastCheck = k;
            }
        }
        var (fLast, _, _) = AdversarialLoss.Evaluate(context, current, criterion, options.Loss);
        var lastBetter = fLast.Select((v, i) => v > fMax[i] ? 1f : 0f).ToArray();
        return Tensor.Where(Tensor.FromArray(lastBetter, rowShape).GreaterThan(0.5f), current, xMax);
    }
}
