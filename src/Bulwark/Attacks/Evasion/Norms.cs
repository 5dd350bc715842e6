using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// Per-sample norms of perturbations, projection onto norm balls and steepest-ascent directions.
/// Tensors are [N, ...]: every operation treats each sample (row) separately. Pure functions.
/// </summary>
public static class Norms
{
    /// <summary>The norm of each sample of <paramref name="delta"/>.</summary>
    public static float[] Measure(Tensor delta, NormKind norm)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var (n, d) = Rows(delta);
        var v = delta.AsReadOnlySpan();
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            var row = v.Slice(i * d, d);
            double acc = 0;
            foreach (float e in row)
            {
                acc = norm switch
                {
                    NormKind.Linf => Math.Max(acc, Math.Abs(e)),
                    NormKind.L2 => acc + ((double)e * e),
                    _ => acc + Math.Abs(e),
                };
            }
            r[i] = (float)(norm == NormKind.L2 ? Math.Sqrt(acc) : acc);
        }
        return r;
    }

    /// <summary>The number of changed elements of each sample (|δ| above <paramref name="tolerance"/>).</summary>
    public static float[] CountChanged(Tensor delta, float tolerance = 1e-7f)
    {
        ArgumentNullException.ThrowIfNull(delta);
        var (n, d) = Rows(delta);
        var v = delta.AsReadOnlySpan();
        var r = new float[n];
        for (int i = 0; i < n; i++)
        {
            int c = 0;
            foreach (float e in v.Slice(i * d, d))
                c += Math.Abs(e) > tolerance ? 1 : 0;
            r[i] = c;
        }
        return r;
    }

    /// <summary>
    /// The nearest point of the ε-ball to each sample of <paramref name="delta"/>: clipping for L∞,
    /// rescaling for L2, and the exact Euclidean projection onto the L1 ball (Duchi et al. 2008).
    /// Not differentiable; attacks project outside the tape.
    /// </summary>
    public static Tensor Project(Tensor delta, NormKind norm, float epsilon)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (norm == NormKind.Linf)
            return delta.Detach().Clamp(-epsilon, epsilon);
        var (n, d) = Rows(delta);
        var v = delta.ToArray();
        var lengths = Measure(delta, norm);
        for (int i = 0; i < n; i++)
        {
            if (lengths[i] <= epsilon)
                continue;
            var row = v.AsSpan(i * d, d);
            if (norm == NormKind.L2)
            {
                float scale = epsilon / lengths[i];
                foreach (ref float e in row)
                    e *= scale;
            }
            else
            {
                ProjectL1(row, epsilon);
            }
        }
        return Tensor.FromArray(v, delta.Shape.ToArray());
    }

    /// <summary>
    /// The unit-norm direction of steepest ascent for a gradient: sign(g) for L∞, g/‖g‖₂ for L2, and
    /// for L1 the sign of the top <paramref name="l1Sparsity"/> fraction of |g| per sample, scaled
    /// to unit L1 norm (the sparse step of Tramèr &amp; Boneh 2019's SLIDE).
    /// </summary>
    public static Tensor SteepestDirection(Tensor gradient, NormKind norm, double l1Sparsity = 0.01)
    {
        ArgumentNullException.ThrowIfNull(gradient);
        if (norm == NormKind.Linf)
            return gradient.Detach().Sign();
        var (n, d) = Rows(gradient);
        var g = gradient.ToArray();
        var r = new float[g.Length];
        for (int i = 0; i < n; i++)
        {
            var row = g.AsSpan(i * d, d);
            var dst = r.AsSpan(i * d, d);
            if (norm == NormKind.L2)
            {
                double ss = 0;
                foreach (float e in row)
                    ss += (double)e * e;
                float inv = ss > 0 ? (float)(1 / Math.Sqrt(ss)) : 0f;
                for (int k = 0; k < d; k++)
                    dst[k] = row[k] * inv;
            }
            else
            {
                int keep = Math.Clamp((int)Math.Ceiling(l1Sparsity * d), 1, d);
                var mags = new float[d];
                for (int k = 0; k < d; k++)
                    mags[k] = Math.Abs(row[k]);
                var sorted = (float[])mags.Clone();
                Array.Sort(sorted);
                float threshold = sorted[d - keep];
                int chosen = 0;
                for (int k = 0; k < d && chosen < keep; k++)
                {
                    if (mags[k] >= threshold && mags[k] > 0)
                    {
                        dst[k] = Math.Sign(row[k]);
                        chosen++;
                    }
                }
                if (chosen > 0)
                    for (int k = 0; k < d; k++)
                        dst[k] /= chosen;
            }
        }
        return Tensor.FromArray(r, gradient.Shape.ToArray());
    }

    /// <summary>Projects one row onto the L1 ball of radius ε in place (sort-based, O(d log d)).</summary>
    private static void ProjectL1(Span<float> row, float epsilon)
    {
        var mags = new float[row.Length];
        for (int k = 0; k < row.Length; k++)
            mags[k] = Math.Abs(row[k]);
        var sorted = (float[])mags.Clone();
        Array.Sort(sorted, (a, b) => b.CompareTo(a));
        double cumulative = 0;
        double theta = 0;
        for (int k = 0; k < sorted.Length; k++)
        {
            cumulative += sorted[k];
            double t = (cumulative - epsilon) / (k + 1);
            if (sorted[k] - t > 0)
                theta = t;
            else
                break;
        }
        for (int k = 0; k < row.Length; k++)
            row[k] = (float)(Math.Sign(row[k]) * Math.Max(mags[k] - theta, 0));
    }

    private static (int N, int D) Rows(Tensor t)
    {
        if (t.Rank < 1)
            throw new BulwarkInputException("a perturbation needs a batch axis: [N, ...]");
        int n = t.Shape[0];
        return (n, n == 0 ? 0 : t.Size / n);
    }
}
