using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="HopSkipJump"/>; defaults are the paper's.</summary>
public sealed record HopSkipJumpOptions
{
    /// <summary>L2 (the paper's main setting) or L∞.</summary>
    public NormKind Norm { get; init; } = NormKind.L2;

    /// <summary>Model evaluations per sample at most, the final check of the result included (the paper's plots run to 25,000).</summary>
    public int MaxQueries { get; init; } = 10_000;

    /// <summary>Gradient-estimation samples at iteration 1; iteration t uses this × √t (100 in the paper).</summary>
    public int InitialEvaluations { get; init; } = 100;

    /// <summary>Cap on gradient-estimation samples per iteration (10,000 in the paper).</summary>
    public int MaxEvaluations { get; init; } = 10_000;

    /// <summary>γ of the binary-search threshold θ = γ/d^{3/2} (L2) or γ/d² (L∞); 1 in the paper.</summary>
    public double Gamma { get; init; } = 1.0;

    /// <summary>Iterations at most; the query budget usually ends the run first.</summary>
    public int MaxIterations { get; init; } = 1000;

    /// <summary>Uniform noise draws per sample when looking for a first adversarial point.</summary>
    public int InitTries { get; init; } = 100;

    /// <summary>Samples per chunk; each round of a chunk is one model call.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Seed of the noise and the estimation directions.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// HopSkipJumpAttack (Chen, Jordan &amp; Wainwright, "HopSkipJumpAttack: a query-efficient
/// decision-based attack", IEEE S&amp;P 2020). Threat T8; decision-based (it uses only the top class
/// of <see cref="Models.IClassifier.PredictProba"/>), minimum-norm, L2 or L∞. From an adversarial
/// point found in uniform noise, repeat: binary search to the boundary (threshold θ); estimate the
/// boundary's normal by Monte Carlo with 100·√t random unit directions at radius δ_t and a
/// baseline-corrected sign average; step along it (sign of it for L∞) by a geometric progression
/// from ‖x_t − x‖/√t, halving until adversarial. Every phase stops for a sample whose budget is
/// spent, so <see cref="HopSkipJumpOptions.MaxQueries"/> holds exactly. Input [N, ...].
/// </summary>
public sealed class HopSkipJump(HopSkipJumpOptions? options = null) : EvasionAttack("hopskipjump", (options ?? new()).Norm, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private const int MaxHalvings = 30;

    private readonly HopSkipJumpOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => null;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var oracle = new BlackBoxOracle(context, x, criterion, options.MaxQueries, Name);
        var rng = context.Rng;
        int d = oracle.Dimension;
        double theta = Norm == NormKind.L2 ? options.Gamma / (d * Math.Sqrt(d)) : options.Gamma / ((double)d * d);
        int reserve = (int)Math.Ceiling(Math.Log2(1 / theta)) + 10;
        var (adv, found, atOrigin) = DecisionSearch.Start(oracle, rng, options.InitTries);
        var moving = Enumerable.Range(0, oracle.Samples).Where(i => found[i] && !atOrigin[i]).ToList();
        DecisionSearch.ToBoundary(oracle, adv, moving, Norm, theta);
        var dist = moving.ToDictionary(i => i, i => DecisionSearch.Distance(adv.AsSpan(i * d, d), oracle.OriginalRow(i), Norm));
        for (int t = 1; t <= options.MaxIterations; t++)
        {
            int wanted = (int)Math.Min(options.InitialEvaluations * Math.Sqrt(t), options.MaxEvaluations);
            moving.RemoveAll(i => oracle.Left(i) - reserve < 2);
            if (moving.Count == 0)
                break;
            var evaluations = moving.Select(i => (int)Math.Min(wanted, oracle.Left(i) - reserve)).ToArray();
            var radius = moving.Select(i => t == 1 ? 0.1 * oracle.Bounds.Range : (Norm == NormKind.L2 ? Math.Sqrt(d) : d) * theta * dist[i]).ToArray();
            var directions = EstimateDirections(oracle, rng, adv, moving, evaluations, radius);
            var stepped = StepSearch(oracle, adv, moving, directions, moving.Select(i => dist[i] / Math.Sqrt(t)).ToArray());
            DecisionSearch.ToBoundary(oracle, adv, stepped, Norm, theta);
            foreach (int i in stepped)
                dist[i] = DecisionSearch.Distance(adv.AsSpan(i * d, d), oracle.OriginalRow(i), Norm);
        }
        oracle.Record();
        return oracle.ToTensor(adv);
    }

    /// <summary>
    /// The estimated direction towards the adversarial side at each boundary point: the mean of
    /// (φ(x_t + δu) − mean φ)·u over random unit u (Gaussian for L2, uniform for L∞), unit length,
    /// or its sign for L∞. Candidates of all samples share calls of up to RowsPerCall rows.
    /// </summary>
    private float[][] EstimateDirections(BlackBoxOracle oracle, Rng rng, float[] adv, List<int> samples, int[] evaluations, double[] radius)
    {
        int d = oracle.Dimension;
        var b = oracle.Bounds;
        var sumFu = samples.Select(_ => new double[d]).ToArray();
        var sumU = samples.Select(_ => new double[d]).ToArray();
        var sumF = new int[samples.Count];
        int sample = 0, drawn = 0;
        var rows = new float[Math.Min(oracle.RowsPerCall, evaluations.Sum()) * d];
        var units = new float[rows.Length];
        var owners = new List<int>();
        var slots = new List<int>();
        while (sample < samples.Count)
        {
            owners.Clear();
            slots.Clear();
            while (sample < samples.Count && owners.Count * d < rows.Length)
            {
                int i = samples[sample];
                var row = rows.AsSpan(owners.Count * d, d);
                var unit = units.AsSpan(owners.Count * d, d);
                double length = 0;
                for (int k = 0; k < d; k++)
                {
                    unit[k] = Norm == NormKind.L2 ? (float)rng.NextNormal() : (2 * rng.NextFloat()) - 1;
                    length += (double)unit[k] * unit[k];
                }
                float scale = (float)(radius[sample] / Math.Max(Math.Sqrt(length), 1e-12));
                for (int k = 0; k < d; k++)
                {
                    float at = adv[(i * d) + k];
                    row[k] = Math.Clamp(at + (unit[k] * scale), b.Lower, b.Upper);
                    unit[k] = (float)((row[k] - at) / radius[sample]);
                }
                owners.Add(i);
                slots.Add(sample);
                if (++drawn == evaluations[sample])
                    (sample, drawn) = (sample + 1, 0);
            }
            var hit = oracle.Decide(rows, owners);
            for (int r = 0; r < owners.Count; r++)
            {
                int s = slots[r];
                int f = hit[r] ? 1 : -1;
                sumF[s] += f;
                for (int k = 0; k < d; k++)
                {
                    sumFu[s][k] += f * units[(r * d) + k];
                    sumU[s][k] += units[(r * d) + k];
                }
            }
        }
        var directions = new float[samples.Count][];
        for (int s = 0; s < samples.Count; s++)
        {
            double count = evaluations[s], meanF = sumF[s] / count;
            var g = new double[d];
            for (int k = 0; k < d; k++)
            {
                g[k] = Math.Abs(meanF) == 1 ? meanF * sumU[s][k] / count : (sumFu[s][k] / count) - (meanF * sumU[s][k] / count);
            }
            double length = Math.Sqrt(g.Sum(v => v * v));
            directions[s] = g.Select(v => Norm == NormKind.Linf ? Math.Sign(v) : (float)(v / Math.Max(length, 1e-12))).ToArray();
        }
        return directions;
    }

    /// <summary>
    /// Steps each point along its direction by ξ, halving ξ until the step lands on the adversarial
    /// side; returns the samples whose step succeeded, with <paramref name="adv"/> moved for them.
    /// </summary>
    private static List<int> StepSearch(BlackBoxOracle oracle, float[] adv, List<int> samples, float[][] directions, double[] size)
    {
        int d = oracle.Dimension;
        var b = oracle.Bounds;
        var moved = new List<int>();
        var pending = Enumerable.Range(0, samples.Count).ToList();
        for (int halving = 0; halving < MaxHalvings; halving++)
        {
            pending.RemoveAll(s => oracle.Left(samples[s]) < 1);
            if (pending.Count == 0)
                break;
            var rows = new float[pending.Count * d];
            for (int a = 0; a < pending.Count; a++)
            {
                int s = pending[a], i = samples[s];
                for (int k = 0; k < d; k++)
                    rows[(a * d) + k] = Math.Clamp((float)(adv[(i * d) + k] + (size[s] * directions[s][k])), b.Lower, b.Upper);
            }
            var hit = oracle.Decide(rows, pending.Select(s => samples[s]).ToArray());
            for (int a = 0; a < pending.Count; a++)
            {
                int s = pending[a];
                size[s] /= 2;
                if (!hit[a])
                    continue;
                rows.AsSpan(a * d, d).CopyTo(adv.AsSpan(samples[s] * d, d));
                moved.Add(samples[s]);
            }
            pending.RemoveAll(s => moved.Contains(samples[s]));
        }
        return moved;
    }

    private static HopSkipJumpOptions Validate(HopSkipJumpOptions o)
    {
        if (o.Norm == NormKind.L1)
            throw new BulwarkInputException("hopskipjump: the attack is defined for L2 and L∞, not L1");
        if (o.MaxQueries < 2 || o.InitialEvaluations < 1 || o.MaxEvaluations < 1 || o.MaxIterations < 1 || o.InitTries < 1)
            throw new BulwarkInputException($"hopskipjump: max queries ({o.MaxQueries}) must be at least 2, and evaluations, iterations and init tries at least 1");
        if (!(o.Gamma > 0 && double.IsFinite(o.Gamma)))
            throw new BulwarkInputException($"hopskipjump: gamma must be positive, got {o.Gamma}");
        return o;
    }
}
