using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>The directions SimBA searches along.</summary>
public enum SimbaBasis
{
    /// <summary>Single pixels (the standard basis), in random order.</summary>
    Pixel,

    /// <summary>2-D DCT-II basis images per channel, lowest frequencies first (SimBA-DCT).</summary>
    Dct,
}

/// <summary>Options of <see cref="Simba"/>; defaults are the paper's.</summary>
public sealed record SimbaOptions
{
    /// <summary>The search basis (DCT is the paper's stronger variant).</summary>
    public SimbaBasis Basis { get; init; } = SimbaBasis.Dct;

    /// <summary>Step ε along each unit basis vector (0.2 in the paper).</summary>
    public float StepSize { get; init; } = 0.2f;

    /// <summary>
    /// An L2 budget on the whole perturbation, or null for none (the paper's setting: the norm
    /// then grows as √(accepted steps)·ε and is reported). A step that would leave the ball is skipped.
    /// </summary>
    public float? Epsilon { get; init; }

    /// <summary>Model evaluations per sample at most, the final check of the result included.</summary>
    public int MaxQueries { get; init; } = 10_000;

    /// <summary>
    /// DCT only: the side of the low-frequency block searched first; null means H/8 (the paper's 28
    /// of 224), at least 1. Higher frequencies follow in bands of <see cref="Stride"/>.
    /// </summary>
    public int? FrequencyBlock { get; init; }

    /// <summary>DCT only: the width of each further frequency band; null means H/32 (the paper's 7 of 224), at least 1.</summary>
    public int? Stride { get; init; }

    /// <summary>Samples per chunk; each round of a chunk is one model call.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the basis order.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// SimBA, the Simple Black-box Attack (Guo, Gardner, You, Wilson &amp; Weinberger, "Simple Black-box
/// Adversarial Attacks", ICML 2019). Threat T8; score-based, L2. Walks through an orthonormal
/// basis without repetition: for each direction q it tries x − εq, and if the probability of the
/// true class did not fall, x + εq; the first that lowers it is kept (targeted: that raises the
/// target's). The pixel basis takes coordinates in random order; the DCT basis takes the low
/// frequencies first, where adversarial directions are dense. A sample stops once adversarial.
/// Input [N, C, H, W], [N, H, W] or [N, D].
/// </summary>
public sealed class Simba(SimbaOptions? options = null) : EvasionAttack("simba", NormKind.L2, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private readonly SimbaOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var oracle = new BlackBoxOracle(context, x, criterion, options.MaxQueries, Name);
        var grid = Grid.Of(oracle.SampleShape);
        int n = oracle.Samples, d = oracle.Dimension;
        var basis = new Basis(grid, options);
        var order = Enumerable.Range(0, n).Select(_ => basis.Order(context.Rng)).ToArray();
        var current = (float[])oracle.Original.Clone();
        var (score, done, classes) = oracle.EvaluateAll(current, (p, i) => Score(oracle, p, i));
        var next = new int[n];
        var all = Enumerable.Range(0, n).ToArray();
        var direction = new float[d];
        var improved = new bool[n];
        while (true)
        {
            var active = all.Where(i => !done[i] && next[i] < d && oracle.Left(i) > 0).ToArray();
            if (active.Length == 0)
                break;
            var coordinate = active.Select(i => order[i][next[i]++]).ToArray();
            Array.Clear(improved);
            foreach (float sign in (ReadOnlySpan<float>)[-1f, 1f])
            {
                var owners = new List<int>();
                var rows = new float[active.Length * d];
                for (int a = 0; a < active.Length; a++)
                {
                    int i = active[a];
                    if (improved[i] || oracle.Left(i) < 1)
                        continue;
                    basis.Vector(coordinate[a], direction);
                    if (Candidate(oracle, current.AsSpan(i * d, d), i, direction, sign * options.StepSize, epsilon, rows.AsSpan(owners.Count * d, d)))
                        owners.Add(i);
                }
                var probs = oracle.Probabilities(rows, owners);
                for (int r = 0; r < owners.Count; r++)
                {
                    int i = owners[r];
                    var p = probs.AsSpan(r * classes, classes);
                    float s = Score(oracle, p, i);
                    if (s >= score[i])
                        continue;
                    score[i] = s;
                    improved[i] = true;
                    done[i] = oracle.IsAdversarial(p, i);
                    rows.AsSpan(r * d, d).CopyTo(current.AsSpan(i * d, d));
                }
            }
        }
        oracle.Record();
        return oracle.ToTensor(current);
    }

    /// <summary>The probability SimBA pushes down: the true class's, or minus the target's.</summary>
    private static float Score(BlackBoxOracle oracle, ReadOnlySpan<float> p, int sample) =>
        oracle.Targeted ? -oracle.LabelProbability(p, sample) : oracle.LabelProbability(p, sample);

    /// <summary>clip(x + step·q); false when it equals x after clipping or leaves the budget, so no query is spent on it.</summary>
    private static bool Candidate(BlackBoxOracle oracle, ReadOnlySpan<float> x, int sample, float[] q, float step, float budget, Span<float> destination)
    {
        var b = oracle.Bounds;
        var x0 = oracle.OriginalRow(sample);
        bool changed = false;
        double length = 0;
        for (int k = 0; k < x.Length; k++)
        {
            destination[k] = Math.Clamp(x[k] + (step * q[k]), b.Lower, b.Upper);
            changed |= destination[k] != x[k];
            double e = destination[k] - x0[k];
            length += e * e;
        }
        return changed && Math.Sqrt(length) <= budget;
    }

    /// <summary>The basis as an ordering of coordinates and a way to write one basis vector.</summary>
    private sealed class Basis
    {
        private readonly Grid grid;
        private readonly SimbaOptions options;
        private readonly double[,] cosRows;
        private readonly double[,] cosCols;

        public Basis(Grid grid, SimbaOptions options)
        {
            this.grid = grid;
            this.options = options;
            cosRows = Cosines(grid.H);
            cosCols = Cosines(grid.W);
        }

        /// <summary>Coordinates in search order: all at random for pixels; for DCT the low block, then each band, each at random.</summary>
        public int[] Order(Rng rng)
        {
            int count = grid.C * grid.H * grid.W;
            if (options.Basis == SimbaBasis.Pixel)
                return rng.Permutation(count);
            int side = Math.Max(grid.H, grid.W);
            int block = Math.Max(1, options.FrequencyBlock ?? side / 8), stride = Math.Max(1, options.Stride ?? side / 32);
            var order = new List<int>(count);
            for (int lo = 0, hi = block; lo < side; lo = hi, hi += stride)
            {
                var band = Enumerable.Range(0, count).Where(k =>
                {
                    int rest = k % (grid.H * grid.W);
                    int frequency = Math.Max(rest / grid.W, rest % grid.W);
                    return frequency >= lo && frequency < hi;
                }).ToArray();
                rng.Shuffle<int>(band);
                order.AddRange(band);
            }
            return [.. order];
        }

        /// <summary>Writes the unit basis vector of <paramref name="coordinate"/> into <paramref name="q"/>.</summary>
        public void Vector(int coordinate, float[] q)
        {
            Array.Clear(q);
            if (options.Basis == SimbaBasis.Pixel)
            {
                q[coordinate] = 1f;
                return;
            }
            int plane = grid.H * grid.W;
            int c = coordinate / plane, u = coordinate % plane / grid.W, v = coordinate % grid.W;
            for (int r = 0; r < grid.H; r++)
                for (int col = 0; col < grid.W; col++)
                    q[grid.Index(c, r, col)] = (float)(cosRows[u, r] * cosCols[v, col]);
        }

        /// <summary>The orthonormal DCT-II matrix: row f holds frequency f sampled at each position.</summary>
        private static double[,] Cosines(int size)
        {
            var m = new double[size, size];
            for (int f = 0; f < size; f++)
                for (int i = 0; i < size; i++)
                    m[f, i] = Math.Sqrt((f == 0 ? 1.0 : 2.0) / size) * Math.Cos(Math.PI * ((2 * i) + 1) * f / (2.0 * size));
            return m;
        }
    }

    private static SimbaOptions Validate(SimbaOptions o)
    {
        if (!(o.StepSize > 0 && float.IsFinite(o.StepSize)))
            throw new BulwarkInputException($"simba: the step size must be positive, got {o.StepSize}");
        if (o.Epsilon is { } e)
            AttackInput.CheckEpsilon(e);
        if (o.MaxQueries < 2 || o.FrequencyBlock < 1 || o.Stride < 1)
            throw new BulwarkInputException($"simba: max queries ({o.MaxQueries}) must be at least 2, frequency block and stride at least 1");
        return o;
    }
}
