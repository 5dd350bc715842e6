using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="NesPgd"/>; defaults are the paper's query-limited ImageNet setting.</summary>
public sealed record NesPgdOptions
{
    /// <summary>L∞ budget (0.05 in the paper).</summary>
    public float Epsilon { get; init; } = 0.05f;

    /// <summary>Search variance σ of the Gaussian directions (0.001).</summary>
    public float Sigma { get; init; } = 0.001f;

    /// <summary>Function evaluations per gradient estimate, in antithetic pairs (50; must be even).</summary>
    public int Samples { get; init; } = 50;

    /// <summary>L∞ PGD step on the sign of the estimate (0.01).</summary>
    public float StepSize { get; init; } = 0.01f;

    /// <summary>Model evaluations per sample at most, the final check of the result included.</summary>
    public int MaxQueries { get; init; } = 10_000;

    /// <summary>Samples per chunk; each estimate of a chunk is one model call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the search directions.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// NES gradient estimation with projected gradient ascent (Ilyas, Engstrom, Athalye &amp; Lin,
/// "Black-box Adversarial Attacks with Limited Queries and Information", ICML 2018). Threat T8;
/// score-based, L∞. Each step estimates the gradient of the loss from n/2 antithetic pairs
/// x ± σu (clipped to the box), u ~ N(0, I): ĝ = Σ (L(x + σu) − L(x − σu))·u / (nσ), then takes a PGD step
/// x ← Π_ε(x + η·sign ĝ) clipped to the box. The loss is the margin on log-probabilities
/// (the logit margin) instead of the paper's cross-entropy, which saturates on confident
/// models. Before each estimate the current point is checked (one query) and a sample stops once
/// adversarial; a step costs n + 1 queries. Input [N, ...].
/// </summary>
public sealed class NesPgd(NesPgdOptions? options = null) : EvasionAttack("nes-pgd", NormKind.Linf, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private readonly NesPgdOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var oracle = new BlackBoxOracle(context, x, criterion, options.MaxQueries, Name);
        var rng = context.Rng;
        var b = oracle.Bounds;
        int n = oracle.Samples, d = oracle.Dimension, pairs = options.Samples / 2;
        var current = (float[])oracle.Original.Clone();
        var all = Enumerable.Range(0, n).ToArray();
        var done = new bool[n];
        var u = new float[pairs * d];
        while (true)
        {
            var pending = all.Where(i => !done[i] && oracle.Left(i) > 0).ToArray();
            if (pending.Length == 0)
                break;
            var here = pending.SelectMany(i => current.AsSpan(i * d, d).ToArray()).ToArray();
            var verdict = oracle.Decide(here, pending);
            for (int a = 0; a < pending.Length; a++)
                done[pending[a]] = verdict[a];
            var active = pending.Where(i => !done[i] && oracle.Left(i) >= 2 * pairs).ToArray();
            if (active.Length == 0)
                break;
            var rows = new float[active.Length * 2 * pairs * d];
            var owners = new int[active.Length * 2 * pairs];
            var directions = new float[active.Length][];
            for (int a = 0; a < active.Length; a++)
            {
                int i = active[a];
                for (int k = 0; k < u.Length; k++)
                    u[k] = (float)rng.NextNormal();
                directions[a] = (float[])u.Clone();
                for (int j = 0; j < 2 * pairs; j++)
                {
                    float sign = j < pairs ? options.Sigma : -options.Sigma;
                    int row = (a * 2 * pairs) + j;
                    owners[row] = i;
                    for (int k = 0; k < d; k++)
                        rows[(row * d) + k] = Math.Clamp(current[(i * d) + k] + (sign * u[((j % pairs) * d) + k]), b.Lower, b.Upper);
                }
            }
            var probs = oracle.Probabilities(rows, owners);
            int classes = probs.Length / owners.Length;
            for (int a = 0; a < active.Length; a++)
            {
                int i = active[a];
                var gradient = new double[d];
                for (int j = 0; j < pairs; j++)
                {
                    int plus = (a * 2 * pairs) + j, minus = plus + pairs;
                    double diff = oracle.Margin(probs.AsSpan(minus * classes, classes), i) - oracle.Margin(probs.AsSpan(plus * classes, classes), i);
                    for (int k = 0; k < d; k++)
                        gradient[k] += diff * directions[a][(j * d) + k];
                }
                var x0 = oracle.OriginalRow(i);
                for (int k = 0; k < d; k++)
                {
                    int at = (i * d) + k;
                    float moved = current[at] + (options.StepSize * Math.Sign(gradient[k]));
                    current[at] = Math.Clamp(Math.Clamp(moved, x0[k] - epsilon, x0[k] + epsilon), b.Lower, b.Upper);
                }
            }
        }
        oracle.Record();
        return oracle.ToTensor(current);
    }

    private static NesPgdOptions Validate(NesPgdOptions o)
    {
        AttackInput.CheckEpsilon(o.Epsilon);
        if (!(o.Sigma > 0 && float.IsFinite(o.Sigma)) || !(o.StepSize > 0 && float.IsFinite(o.StepSize)))
            throw new BulwarkInputException($"nes-pgd: sigma ({o.Sigma}) and step size ({o.StepSize}) must be positive");
        if (o.Samples < 2 || o.Samples % 2 != 0)
            throw new BulwarkInputException($"nes-pgd: samples per estimate must be even and at least 2 (antithetic pairs), got {o.Samples}");
        if (o.MaxQueries < 2)
            throw new BulwarkInputException($"nes-pgd: at least 2 queries per sample are needed, got {o.MaxQueries}");
        return o;
    }
}
