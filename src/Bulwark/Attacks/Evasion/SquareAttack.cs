using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>Options of <see cref="SquareAttack"/>; defaults are the paper's.</summary>
public sealed record SquareAttackOptions
{
    /// <summary>Budget (the paper's MNIST L∞ setting is 0.3; CIFAR-10 8/255, L2 on ImageNet 5).</summary>
    public float Epsilon { get; init; } = 0.3f;

    /// <summary>L∞ or L2.</summary>
    public NormKind Norm { get; init; } = NormKind.Linf;

    /// <summary>
    /// Model evaluations per sample at most, the final check of the result included (the paper
    /// runs 10,000). The p-schedule is stretched over this budget.
    /// </summary>
    public int MaxQueries { get; init; } = 10_000;

    /// <summary>Initial fraction of the image a square covers; null means the paper's 0.05 for L∞ and 0.1 for L2.</summary>
    public double? PInit { get; init; }

    /// <summary>Samples per chunk; all of a chunk's candidates go to the model in one call per iteration.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Seed of the random squares.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Square Attack (Andriushchenko, Croce, Flammarion &amp; Hein, "Square Attack: a query-efficient
/// black-box adversarial attack via random search", ECCV 2020). Threat T8; score-based, L∞ or L2,
/// needs only <see cref="Models.IClassifier.PredictProba"/>. Random search on the margin loss: each
/// iteration changes one random square window (side √(p·H·W), p halved at 10, 50, 200, 500, 1000,
/// 2000, 4000, 6000 and 8000 of 10,000 iterations, scaled to the budget) and keeps the change if
/// the margin falls. L∞ starts from vertical stripes of ±ε and sets whole windows to ±ε per
/// channel; L2 starts from a grid of centred bumps and moves mass between two windows while
/// keeping ‖δ‖₂ = ε. A sample stops as soon as it is adversarial. Input [N, C, H, W], [N, H, W]
/// or [N, D] (windows then run along D).
/// </summary>
public sealed class SquareAttack(SquareAttackOptions? options = null) : EvasionAttack("square", (options ?? new()).Norm, (options ?? new()).BatchSize, (options ?? new()).Seed)
{
    private static readonly int[] Halvings = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];

    private readonly SquareAttackOptions options = Validate(options ?? new());

    /// <inheritdoc />
    public override float? Epsilon => options.Epsilon;

    /// <summary>The square's area fraction at <paramref name="iteration"/> of <paramref name="total"/>: p_init halved at each of the paper's thresholds, scaled from 10,000.</summary>
    public static double PSchedule(double pInit, int iteration, int total)
    {
        long scaled = iteration * 10_000L / Math.Max(total, 1);
        return pInit / (1 << Halvings.Count(t => scaled > t));
    }

    /// <inheritdoc />
    protected override Tensor Perturb(AttackContext context, Tensor x, Criterion criterion, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(context);
        var oracle = new BlackBoxOracle(context, x, criterion, options.MaxQueries, Name);
        var grid = Grid.Of(oracle.SampleShape);
        var rng = context.Rng;
        int n = oracle.Samples, d = oracle.Dimension;
        var best = Norm == NormKind.Linf ? StripesInit(oracle, grid, rng, epsilon) : BumpsInit(oracle, grid, rng, epsilon);
        var (margin, done, classes) = oracle.EvaluateAll(best, oracle.Margin);
        var all = Enumerable.Range(0, n).ToArray();
        double pInit = options.PInit ?? (Norm == NormKind.Linf ? 0.05 : 0.1);
        var candidates = new float[n * d];
        for (int iteration = 1; ; iteration++)
        {
            var active = all.Where(i => !done[i] && oracle.Left(i) > 0).ToArray();
            if (active.Length == 0)
                break;
            double p = PSchedule(pInit, iteration, (int)oracle.Limit);
            for (int a = 0; a < active.Length; a++)
            {
                var row = candidates.AsSpan(a * d, d);
                best.AsSpan(active[a] * d, d).CopyTo(row);
                if (Norm == NormKind.Linf)
                    LinfWindow(oracle, grid, rng, active[a], row, p, epsilon);
                else
                    L2Window(oracle, grid, rng, active[a], row, p, epsilon);
            }
            var probs = oracle.Probabilities(candidates, active);
            for (int a = 0; a < active.Length; a++)
            {
                int i = active[a];
                var pr = probs.AsSpan(a * classes, classes);
                float m = oracle.Margin(pr, i);
                if (m >= margin[i])
                    continue;
                margin[i] = m;
                done[i] = oracle.IsAdversarial(pr, i);
                candidates.AsSpan(a * d, d).CopyTo(best.AsSpan(i * d, d));
            }
        }
        oracle.Record();
        return oracle.ToTensor(best);
    }

    /// <summary>x + ε·s with s = ±1 drawn per channel and column (vertical stripes), clipped.</summary>
    private static float[] StripesInit(BlackBoxOracle oracle, Grid g, Rng rng, float epsilon)
    {
        var x = (float[])oracle.Original.Clone();
        var b = oracle.Bounds;
        for (int i = 0; i < oracle.Samples; i++)
        {
            for (int c = 0; c < g.C; c++)
            {
                for (int col = 0; col < g.W; col++)
                {
                    float s = rng.NextDouble() < 0.5 ? -epsilon : epsilon;
                    for (int r = 0; r < g.H; r++)
                    {
                        int k = (i * oracle.Dimension) + g.Index(c, r, col);
                        x[k] = Math.Clamp(x[k] + s, b.Lower, b.Upper);
                    }
                }
            }
        }
        return x;
    }

    /// <summary>Sets one random window of <paramref name="row"/> to x ± ε per channel, redrawn until it differs from the current point.</summary>
    private static void LinfWindow(BlackBoxOracle oracle, Grid g, Rng rng, int sample, Span<float> row, double p, float epsilon)
    {
        var (sh, sw) = g.WindowSide(p, minimum: 1);
        int top = rng.NextInt(g.H - sh + 1), left = rng.NextInt(g.W - sw + 1);
        var x0 = oracle.OriginalRow(sample);
        var b = oracle.Bounds;
        var signs = new float[g.C];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            for (int c = 0; c < g.C; c++)
                signs[c] = rng.NextDouble() < 0.5 ? -epsilon : epsilon;
            bool changes = false;
            for (int c = 0; c < g.C && !changes; c++)
                for (int r = top; r < top + sh && !changes; r++)
                    for (int col = left; col < left + sw && !changes; col++)
                    {
                        int k = g.Index(c, r, col);
                        changes = Math.Abs(Math.Clamp(x0[k] + signs[c], b.Lower, b.Upper) - row[k]) > 1e-7f;
                    }
            if (changes)
                break;
        }
        for (int c = 0; c < g.C; c++)
            for (int r = top; r < top + sh; r++)
                for (int col = left; col < left + sw; col++)
                {
                    int k = g.Index(c, r, col);
                    row[k] = Math.Clamp(x0[k] + signs[c], b.Lower, b.Upper);
                }
    }

    /// <summary>x + ε·δ/‖δ‖₂ where δ tiles the image with bumps of side H/5, each of random sign per channel.</summary>
    private static float[] BumpsInit(BlackBoxOracle oracle, Grid g, Rng rng, float epsilon)
    {
        int d = oracle.Dimension;
        var x = new float[oracle.Samples * d];
        int sh = Math.Max(1, g.H / 5), sw = Math.Max(1, g.W / 5);
        int top0 = Math.Max(0, (g.H - (5 * sh)) / 2), left0 = Math.Max(0, (g.W - (5 * sw)) / 2);
        var delta = new float[d];
        for (int i = 0; i < oracle.Samples; i++)
        {
            Array.Clear(delta);
            for (int top = top0; top < g.H; top += sh)
            {
                for (int left = left0; left < g.W; left += sw)
                {
                    int rows = Math.Min(sh, g.H - top), cols = Math.Min(sw, g.W - left);
                    var bump = Bump(rows, cols, rng);
                    for (int c = 0; c < g.C; c++)
                    {
                        float sign = rng.NextDouble() < 0.5 ? -1f : 1f;
                        for (int r = 0; r < rows; r++)
                            for (int col = 0; col < cols; col++)
                                delta[g.Index(c, top + r, left + col)] += (float)(sign * bump[(r * cols) + col]);
                    }
                }
            }
            ScaleOnto(oracle, i, delta, epsilon, x.AsSpan(i * d, d));
        }
        return x;
    }

    /// <summary>
    /// The L2 step: a bump of random sign per channel (plus the normalised old content) goes into
    /// window 1, window 2 is emptied, and the freed norm is given to window 1; then ‖δ‖₂ = ε again.
    /// </summary>
    private static void L2Window(BlackBoxOracle oracle, Grid g, Rng rng, int sample, Span<float> row, double p, float epsilon)
    {
        var (sh, sw) = g.WindowSide(p, minimum: 3);
        if (g.H > 1 && sh % 2 == 0)
            sh = sw = sh + 1 <= Math.Min(g.H, g.W) ? sh + 1 : sh - 1;
        int top1 = rng.NextInt(g.H - sh + 1), left1 = rng.NextInt(g.W - sw + 1);
        int top2 = rng.NextInt(g.H - sh + 1), left2 = rng.NextInt(g.W - sw + 1);
        bool In1(int r, int col) => r >= top1 && r < top1 + sh && col >= left1 && col < left1 + sw;
        bool In2(int r, int col) => r >= top2 && r < top2 + sh && col >= left2 && col < left2 + sw;
        var x0 = oracle.OriginalRow(sample);
        var delta = new float[row.Length];
        double image = 0;
        for (int k = 0; k < row.Length; k++)
        {
            delta[k] = row[k] - x0[k];
            image += (double)delta[k] * delta[k];
        }
        var bump = Bump(sh, sw, rng);
        var window = new double[sh * sw];
        for (int c = 0; c < g.C; c++)
        {
            double own = 0, union = 0;
            for (int r = 0; r < g.H; r++)
            {
                for (int col = 0; col < g.W; col++)
                {
                    double v = delta[g.Index(c, r, col)];
                    own += In1(r, col) ? v * v : 0;
                    union += In1(r, col) || In2(r, col) ? v * v : 0;
                }
            }
            double sign = rng.NextDouble() < 0.5 ? -1 : 1, length = 0;
            for (int r = 0; r < sh; r++)
            {
                for (int col = 0; col < sw; col++)
                {
                    int w = (r * sw) + col;
                    window[w] = (sign * bump[w]) + (delta[g.Index(c, top1 + r, left1 + col)] / (1e-10 + Math.Sqrt(own)));
                    length += window[w] * window[w];
                }
            }
            double target = Math.Sqrt((Math.Max((double)epsilon * epsilon - image, 0) / g.C) + union);
            for (int r = top2; r < top2 + sh; r++)
                for (int col = left2; col < left2 + sw; col++)
                    delta[g.Index(c, r, col)] = 0;
            for (int r = 0; r < sh; r++)
                for (int col = 0; col < sw; col++)
                    delta[g.Index(c, top1 + r, left1 + col)] = (float)(window[(r * sw) + col] * target / Math.Max(Math.Sqrt(length), 1e-12));
        }
        ScaleOnto(oracle, sample, delta, epsilon, row);
    }

    /// <summary>Writes clip(x₀ + ε·δ/‖δ‖₂) into <paramref name="destination"/>.</summary>
    private static void ScaleOnto(BlackBoxOracle oracle, int sample, float[] delta, float epsilon, Span<float> destination)
    {
        double length = Math.Sqrt(delta.Sum(v => (double)v * v));
        float scale = length > 0 ? (float)(epsilon / length) : 0f;
        var x0 = oracle.OriginalRow(sample);
        var b = oracle.Bounds;
        for (int k = 0; k < delta.Length; k++)
            destination[k] = Math.Clamp(x0[k] + (delta[k] * scale), b.Lower, b.Upper);
    }

    /// <summary>
    /// A unit-L2 rows × cols bump: the upper half positive and the lower half negative, each a stack
    /// of concentric rectangles weighted 1/(k+1)² by ring k from its centre; square bumps are
    /// transposed half the time so the sign boundary runs either way.
    /// </summary>
    internal static double[] Bump(int rows, int cols, Rng rng)
    {
        var bump = new double[rows * cols];
        int upper = rows / 2;
        Rings(bump, 0, upper, cols, 1);
        Rings(bump, upper, rows - upper, cols, -1);
        double length = Math.Sqrt(bump.Sum(v => v * v));
        for (int k = 0; k < bump.Length; k++)
            bump[k] /= length;
        if (rows == cols && rng.NextDouble() < 0.5)
        {
            for (int r = 0; r < rows; r++)
                for (int c = r + 1; c < cols; c++)
                    (bump[(r * cols) + c], bump[(c * cols) + r]) = (bump[(c * cols) + r], bump[(r * cols) + c]);
        }
        return bump;
    }

    private static void Rings(double[] bump, int firstRow, int rows, int cols, double sign)
    {
        int cr = rows / 2, cc = cols / 2;
        int rings = Math.Max(Math.Max(cr, rows - 1 - cr), Math.Max(cc, cols - 1 - cc)) + 1;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double v = 0;
                for (int k = Math.Max(Math.Abs(r - cr), Math.Abs(c - cc)); k < rings; k++)
                    v += 1.0 / ((k + 1.0) * (k + 1.0));
                bump[((firstRow + r) * cols) + c] = sign * v;
            }
        }
    }

    private static SquareAttackOptions Validate(SquareAttackOptions o)
    {
        AttackInput.CheckEpsilon(o.Epsilon);
        if (o.Norm == NormKind.L1)
            throw new BulwarkInputException("square: the attack is defined for L∞ and L2, not L1");
        if (o.MaxQueries < 2)
            throw new BulwarkInputException($"square: at least 2 queries per sample are needed, got {o.MaxQueries}");
        if (o.PInit is { } p && !(p > 0 && p <= 1))
            throw new BulwarkInputException($"square: p_init must lie in (0, 1], got {p}");
        return o;
    }
}

/// <summary>A sample seen as C channels of H × W (flat inputs are one channel of one row).</summary>
internal readonly record struct Grid(int C, int H, int W)
{
    public static Grid Of(ReadOnlySpan<int> shape) => shape.Length switch
    {
        3 => new Grid(shape[0], shape[1], shape[2]),
        2 => new Grid(1, shape[0], shape[1]),
        _ => new Grid(1, 1, ShapeProduct(shape)),
    };

    public int Index(int c, int r, int col) => (((c * H) + r) * W) + col;

    /// <summary>The window for area fraction p: a √(p·H·W) square, or a run of p·W along a single row.</summary>
    public (int Rows, int Cols) WindowSide(double p, int minimum)
    {
        if (H == 1)
            return (1, Math.Clamp((int)Math.Round(p * W), Math.Min(minimum, W), W));
        int s = (int)Math.Round(Math.Sqrt(p * H * W));
        s = Math.Clamp(s, Math.Min(minimum, Math.Min(H, W)), Math.Max(1, Math.Min(H, W) - 1));
        return (s, s);
    }

    private static int ShapeProduct(ReadOnlySpan<int> shape)
    {
        int p = 1;
        foreach (int s in shape)
            p *= s;
        return p;
    }
}
