using Bulwark.Engine;

namespace Bulwark.Attacks.Evasion;

/// <summary>The loop every iterative gradient attack shares: step, project onto the ε-ball, clip to the box.</summary>
internal static class GradientSteps
{
    /// <summary>x' = clip(x₀ + Π_ε(x + α·d − x₀)).</summary>
    public static Tensor Step(AttackContext context, Tensor original, Tensor x, Tensor direction, float alpha, NormKind norm, float epsilon)
    {
        var moved = x.Add(direction.Mul(alpha));
        var delta = float.IsPositiveInfinity(epsilon) ? moved.Sub(original) : Norms.Project(moved.Sub(original), norm, epsilon);
        return context.Clip(original.Add(delta));
    }

    /// <summary>A random point of the ε-ball around <paramref name="x"/>, clipped to the box (Madry et al.'s random start).</summary>
    public static Tensor RandomStart(AttackContext context, Tensor x, NormKind norm, float epsilon)
    {
        int n = x.Shape[0];
        int d = n == 0 ? 0 : x.Size / n;
        var noise = new float[x.Size];
        var rng = context.Rng;
        for (int i = 0; i < n; i++)
        {
            var row = noise.AsSpan(i * d, d);
            if (norm == NormKind.Linf)
            {
                for (int k = 0; k < d; k++)
                    row[k] = (float)((rng.NextDouble() * 2 - 1) * epsilon);
                continue;
            }
            // Uniform in the L2 ball: a Gaussian direction at radius ε·u^(1/d). For L1, a Laplace
            // direction normalised in L1 at the same radius law.
            double norm2 = 0;
            for (int k = 0; k < d; k++)
            {
                double g = norm == NormKind.L2 ? rng.NextNormal() : -Math.Log(1 - rng.NextDouble()) * (rng.NextDouble() < 0.5 ? -1 : 1);
                row[k] = (float)g;
                norm2 += norm == NormKind.L2 ? g * g : Math.Abs(g);
            }
            double length = norm == NormKind.L2 ? Math.Sqrt(norm2) : norm2;
            double radius = epsilon * Math.Pow(rng.NextDouble(), 1.0 / Math.Max(d, 1));
            for (int k = 0; k < d; k++)
                row[k] = length > 0 ? (float)(row[k] / length * radius) : 0f;
        }
        return context.Clip(x.Add(Tensor.FromArray(noise, x.Shape.ToArray())));
    }
}
