using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// The searches decision-based attacks (HopSkipJump, Boundary) share: a first adversarial point
/// from uniform noise, and the binary search along the segment between an original input and an
/// adversarial point for the boundary. Rows are per-sample [Samples × Dimension] arrays; every
/// round sends all searching samples to the model in one call.
/// </summary>
internal static class DecisionSearch
{
    /// <summary>
    /// A starting point per sample: the input itself when it is already adversarial, otherwise the
    /// first of up to <paramref name="tries"/> uniform noise draws that is adversarial, blended back
    /// towards the input by binary search (to 10⁻³ of the blend). Samples with none found keep
    /// their input and are not <c>Found</c>; samples with <c>AtOrigin</c> need no attack.
    /// </summary>
    public static (float[] Points, bool[] Found, bool[] AtOrigin) Start(BlackBoxOracle oracle, Rng rng, int tries)
    {
        int n = oracle.Samples, d = oracle.Dimension;
        var points = (float[])oracle.Original.Clone();
        var all = Enumerable.Range(0, n).ToArray();
        var atOrigin = oracle.Decide(points, all);
        var found = (bool[])atOrigin.Clone();
        var b = oracle.Bounds;
        for (int t = 0; t < tries; t++)
        {
            var pending = all.Where(i => !found[i] && oracle.Left(i) > 0).ToArray();
            if (pending.Length == 0)
                break;
            var rows = new float[pending.Length * d];
            for (int k = 0; k < rows.Length; k++)
                rows[k] = b.Lower + (b.Range * rng.NextFloat());
            var hit = oracle.Decide(rows, pending);
            for (int a = 0; a < pending.Length; a++)
            {
                if (!hit[a])
                    continue;
                found[pending[a]] = true;
                rows.AsSpan(a * d, d).CopyTo(points.AsSpan(pending[a] * d, d));
            }
        }
        var moving = all.Where(i => found[i] && !atOrigin[i]).ToArray();
        ToBoundary(oracle, points, moving, NormKind.L2, 1e-3);
        return (points, found, atOrigin);
    }

    /// <summary>
    /// Moves each adversarial point of <paramref name="samples"/> towards its original until the
    /// bracket [non-adversarial, adversarial] is within tolerance, and leaves the adversarial end in
    /// <paramref name="points"/>. L2 searches the blend (1−α)·x + α·x' with tolerance θ on α;
    /// L∞ searches the box radius α, x' clipped to [x − α, x + α], with tolerance min(θ·‖x' − x‖∞, θ)
    /// (Chen et al.'s two projections). A sample stops early when its queries run out.
    /// </summary>
    public static void ToBoundary(BlackBoxOracle oracle, float[] points, IReadOnlyList<int> samples, NormKind norm, double theta)
    {
        int d = oracle.Dimension;
        var far = new Dictionary<int, float[]>();
        var low = new Dictionary<int, double>();
        var high = new Dictionary<int, double>();
        var tolerance = new Dictionary<int, double>();
        foreach (int i in samples)
        {
            far[i] = points.AsSpan(i * d, d).ToArray();
            low[i] = 0;
            high[i] = norm == NormKind.Linf ? Distance(far[i], oracle.OriginalRow(i), NormKind.Linf) : 1;
            tolerance[i] = norm == NormKind.Linf ? Math.Min(high[i] * theta, theta) : theta;
        }
        while (true)
        {
            var active = samples.Where(i => high[i] - low[i] > tolerance[i] && oracle.Left(i) > 0).ToArray();
            if (active.Length == 0)
                break;
            var rows = new float[active.Length * d];
            for (int a = 0; a < active.Length; a++)
            {
                int i = active[a];
                Project(oracle.OriginalRow(i), far[i], (low[i] + high[i]) / 2, norm, rows.AsSpan(a * d, d));
            }
            var hit = oracle.Decide(rows, active);
            for (int a = 0; a < active.Length; a++)
            {
                int i = active[a];
                double mid = (low[i] + high[i]) / 2;
                if (hit[a])
                    high[i] = mid;
                else
                    low[i] = mid;
            }
        }
        foreach (int i in samples)
            Project(oracle.OriginalRow(i), far[i], high[i], norm, points.AsSpan(i * d, d));
    }

    /// <summary>‖a − b‖ in the norm (L2 or L∞).</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b, NormKind norm)
    {
        double acc = 0;
        for (int k = 0; k < a.Length; k++)
        {
            double e = a[k] - b[k];
            acc = norm == NormKind.Linf ? Math.Max(acc, Math.Abs(e)) : acc + (e * e);
        }
        return norm == NormKind.Linf ? acc : Math.Sqrt(acc);
    }

    private static void Project(ReadOnlySpan<float> original, float[] far, double alpha, NormKind norm, Span<float> destination)
    {
        for (int k = 0; k < far.Length; k++)
        {
            destination[k] = norm == NormKind.Linf
                ? Math.Clamp(far[k], (float)(original[k] - alpha), (float)(original[k] + alpha))
                : (float)(((1 - alpha) * original[k]) + (alpha * far[k]));
        }
    }
}
