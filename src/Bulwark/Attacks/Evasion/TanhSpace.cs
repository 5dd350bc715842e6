using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Attacks.Evasion;

/// <summary>
/// Carlini &amp; Wagner's change of variables, shared by their L2 and L∞ attacks: an input in the box
/// [lo, hi] is lo + (hi − lo)(tanh w + 1)/2 for unconstrained w, so Adam can move w freely and every
/// point stays valid. Also the plain Adam step both attacks run on w.
/// </summary>
internal static class TanhSpace
{
    /// <summary>w with lo + (hi − lo)(tanh w + 1)/2 = x (clamped just inside the box so atanh stays finite).</summary>
    public static float[] From(float[] x, InputBounds bounds)
    {
        var w = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
            w[i] = (float)Math.Atanh(Math.Clamp((((x[i] - bounds.Lower) / bounds.Range) * 2) - 1, -0.999999, 0.999999));
        return w;
    }

    /// <summary>The input for w, differentiable.</summary>
    public static Tensor ToInput(Tensor w, InputBounds bounds) => w.Tanh().Add(1f).Mul(bounds.Range / 2).Add(bounds.Lower);

    /// <summary>
    /// One Adam step (β₁ 0.9, β₂ 0.999, ε 10⁻⁸, step <paramref name="t"/> from 1) on w in place; rows of
    /// <paramref name="rowLength"/> values for which <paramref name="frozen"/> says so are left alone.
    /// </summary>
    public static void AdamStep(float[] w, float[] g, float[] m, float[] v, int t, float learningRate, int rowLength = 1, Func<int, bool>? frozen = null)
    {
        const float beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        double c1 = 1 - Math.Pow(beta1, t);
        double c2 = 1 - Math.Pow(beta2, t);
        for (int i = 0; i < w.Length; i++)
        {
            if (frozen is not null && frozen(i / rowLength))
                continue;
            m[i] = (beta1 * m[i]) + ((1 - beta1) * g[i]);
            v[i] = (beta2 * v[i]) + ((1 - beta2) * g[i] * g[i]);
            w[i] -= (float)(learningRate * (m[i] / c1) / (Math.Sqrt(v[i] / c2) + eps));
        }
    }
}
