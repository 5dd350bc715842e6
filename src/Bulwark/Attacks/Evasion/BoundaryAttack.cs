using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="BoundaryAttack"/>; defaults are the paper's (and its reference implementation's).</summary>
public sealed record BoundaryAttackOptions
{
    /// <summary>Model evaluations per sample at most, the final check of the result included.</summary>
    public int MaxQueries { get; init; } = 10_000;

    /// <summary>Initial orthogonal step δ, relative to the current distance (0.01).</summary>
    public double SphericalStep { get; init; } = 0.01;

    /// <summary>Initial step ε towards the original, relative to the current distance (0.01).</summary>
    public double SourceStep { get; init; } = 0.01;

    /// <summary>Factor by which both steps grow or shrink (1.5).</summary>
    public double StepAdaptation { get; init; } = 1.5;

    /// <summary>Steps between orthogonal-success checks and step-size updates (10).</summary>
    public int StatsEvery { get; init; } = 10;

    /// <summary>A sample stops once its source step falls below this (10⁻⁷).</summary>
    public double SourceStepConvergence { get; init; } = 1e-7;

    /// <summary>Uniform noise draws per sample when looking for a first adversarial point.</summary>
    public int InitTries { get; init; } = 100;

    /// <summary>Samples per chunk; each step of a chunk is one model call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the noise and the orthogonal steps.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Boundary Attack (Brendel, Rauber &amp; Bethge, "Decision-Based Adversarial Attacks: Reliable
/// Attacks Against Black-Box Machine Learning Models", ICLR 2018). Threat T8; decision-based (top
/// class only), minimum-norm L2. From an adversarial point found in uniform noise, a random walk
/// along the boundary: an orthogonal step of relative size δ on the sphere around the original, then
/// a source step of relative size ε towards it; the candidate replaces the current point when it is
/// adversarial and closer. Every <see cref="BoundaryAttackOptions.StatsEvery"/> steps the orthogonal
/// candidate alone is also checked; over the last 100 checks, more than 50 % adversarial grows δ and
/// ε by the adaptation factor and under 20 % shrinks them; over the last 30 full steps, more than
/// 25 % grows ε and under 10 % shrinks it (the thresholds of the authors' Foolbox implementation).
/// Input [N, ...].
/// </summary>
public sealed class BoundaryAttack(BoundaryAttackOptions? options = null) : EvasionAttack("boundary", NormKind.L2, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private const int SphericalWindow = 100;
    private const int StepWindow = 30;

    private readonly BoundaryAttackOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => null;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var oracle = new BlackBoxOracle(context, x, criterion, options.MaxQueries, Name);
        var rng = context.Rng;
        int n = oracle.Samples, d = oracle.Dimension;
        var (adv, found, atOrigin) = DecisionSearch.Start(oracle, rng, options.InitTries);
        var spherical = Enumerable.Repeat(options.SphericalStep, n).ToArray();
        var source = Enumerable.Repeat(options.SourceStep, n).ToArray();
        var sphericalStats = Enumerable.Range(0, n).Select(_ => new Queue<bool>()).ToArray();
        var stepStats = Enumerable.Range(0, n).Select(_ => new Queue<bool>()).ToArray();
        var walking = Enumerable.Range(0, n).Where(i => found[i] && !atOrigin[i]).ToList();
        for (int step = 1; ; step++)
        {
            bool check = step % options.StatsEvery == 0;
            walking.RemoveAll(i => oracle.Left(i) < (check ? 2 : 1) || source[i] < options.SourceStepConvergence);
            if (walking.Count == 0)
                break;
            int m = walking.Count;
            var rows = new float[(check ? 2 : 1) * m * d];
            for (int a = 0; a < m; a++)
            {
                int i = walking[a];
                var sphere = check ? rows.AsSpan((m + a) * d, d) : new float[d];
                Propose(oracle, rng, i, adv.AsSpan(i * d, d), spherical[i], source[i], sphere, rows.AsSpan(a * d, d));
            }
            var hit = oracle.Decide(rows, check ? [.. walking, .. walking] : walking);
            for (int a = 0; a < m; a++)
            {
                int i = walking[a];
                var candidate = rows.AsSpan(a * d, d);
                if (hit[a] && DecisionSearch.Distance(candidate, oracle.OriginalRow(i), NormKind.L2) < DecisionSearch.Distance(adv.AsSpan(i * d, d), oracle.OriginalRow(i), NormKind.L2))
                    candidate.CopyTo(adv.AsSpan(i * d, d));
                if (!check)
                    continue;
                Push(stepStats[i], hit[a], StepWindow);
                Push(sphericalStats[i], hit[m + a], SphericalWindow);
                Adapt(i, sphericalStats[i], stepStats[i], spherical, source);
            }
        }
        oracle.Record();
        return oracle.ToTensor(adv);
    }

    /// <summary>The orthogonal candidate on the sphere of the current distance, and the full candidate after the source step.</summary>
    private static void Propose(BlackBoxOracle oracle, Rng rng, int sample, ReadOnlySpan<float> current, double delta, double epsilon, Span<float> sphere, Span<float> candidate)
    {
        var x0 = oracle.OriginalRow(sample);
        var b = oracle.Bounds;
        int d = current.Length;
        var toSource = new double[d];
        var eta = new double[d];
        double distance = 0, along = 0;
        for (int k = 0; k < d; k++)
        {
            toSource[k] = x0[k] - current[k];
            distance += toSource[k] * toSource[k];
            eta[k] = rng.NextNormal();
        }
        distance = Math.Sqrt(distance);
        for (int k = 0; k < d; k++)
            along += eta[k] * toSource[k] / distance;
        double etaLength = 0;
        for (int k = 0; k < d; k++)
        {
            eta[k] -= along * toSource[k] / distance;
            etaLength += eta[k] * eta[k];
        }
        double scale = delta * distance / Math.Max(Math.Sqrt(etaLength), 1e-12);
        double back = 1 / Math.Sqrt((delta * delta) + 1);
        double newDistance = 0;
        for (int k = 0; k < d; k++)
        {
            sphere[k] = Math.Clamp((float)(x0[k] + (back * ((eta[k] * scale) - toSource[k]))), b.Lower, b.Upper);
            double e = x0[k] - sphere[k];
            newDistance += e * e;
        }
        newDistance = Math.Sqrt(newDistance);
        double length = Math.Max((epsilon * distance) + newDistance - distance, 0) / Math.Max(newDistance, 1e-12);
        for (int k = 0; k < d; k++)
            candidate[k] = Math.Clamp((float)(sphere[k] + (length * (x0[k] - sphere[k]))), b.Lower, b.Upper);
    }

    private void Adapt(int i, Queue<bool> sphericalStats, Queue<bool> stepStats, double[] spherical, double[] source)
    {
        double f = options.StepAdaptation;
        if (sphericalStats.Count == SphericalWindow)
        {
            double rate = sphericalStats.Count(s => s) / (double)SphericalWindow;
            if (rate > 0.5 || rate < 0.2)
            {
                double by = rate > 0.5 ? f : 1 / f;
                spherical[i] *= by;
                source[i] *= by;
                sphericalStats.Clear();
            }
        }
        if (stepStats.Count == StepWindow)
        {
            double rate = stepStats.Count(s => s) / (double)StepWindow;
            if (rate > 0.25 || rate < 0.1)
            {
                source[i] *= rate > 0.25 ? f : 1 / f;
                stepStats.Clear();
            }
        }
    }

    private static void Push(Queue<bool> window, bool value, int size)
    {
        window.Enqueue(value);
        if (window.Count > size)
            window.Dequeue();
    }

    private static BoundaryAttackOptions Validate(BoundaryAttackOptions o)
    {
        if (o.MaxQueries < 2 || o.StatsEvery < 1 || o.InitTries < 1)
            throw new BulwarkInputException($"boundary: max queries ({o.MaxQueries}) must be at least 2, stats interval and init tries at least 1");
        if (!(o.SphericalStep > 0) || !(o.SourceStep > 0) || !(o.StepAdaptation > 1) || !(o.SourceStepConvergence >= 0))
            throw new BulwarkInputException("boundary: steps must be positive and the adaptation factor above 1");
        return o;
    }
}
