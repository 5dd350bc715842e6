using Bulwark.Engine;

namespace Bulwark.Defenses.Certification;

/// <summary>
/// The statistics randomised smoothing certifies with, as pure functions in double precision:
/// log-gamma, the regularized incomplete beta function and its inverse, the binomial CDF, the
/// two-sided binomial test at p = ½, Clopper–Pearson bounds and the standard normal quantile Φ⁻¹.
/// </summary>
public static class SmoothingStatistics
{
    private const int MaxFractionTerms = 100_000;

    /// <summary>ln Γ(x) for x &gt; 0: Stirling's series at x ≥ 15, shifted up by Γ(x + 1) = x·Γ(x) below (about 1e-15 absolute).</summary>
    public static double LogGamma(double x)
    {
        if (!(x > 0) || double.IsPositiveInfinity(x))
            throw new ArgumentOutOfRangeException(nameof(x), x, "log-gamma needs a finite x > 0");
        double shift = 0;
        double product = 1;
        while (x + shift < 15)
        {
            product *= x + shift;
            shift++;
        }
        double z = x + shift;
        double z2 = z * z;
        // Bernoulli terms B₂ₖ / (2k(2k − 1) z^(2k−1)) for k = 1..5.
        double series = (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / (1188 * z2)) / z2) / z2) / z2) / z;
        double stirling = ((z - 0.5) * Math.Log(z)) - z + (0.5 * Math.Log(2 * Math.PI)) + series;
        return stirling - Math.Log(product);
    }

    /// <summary>
    /// The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b) for a, b &gt; 0 and
    /// x in [0, 1]: its continued fraction (modified Lentz), on the side of (a + 1)/(a + b + 2) where
    /// it converges fast, by the symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
    /// </summary>
    public static double RegularizedIncompleteBeta(double a, double b, double x)
    {
        if (!(a > 0) || !(b > 0) || double.IsInfinity(a) || double.IsInfinity(b))
            throw new ArgumentOutOfRangeException(nameof(a), $"the incomplete beta needs finite a, b > 0, got a = {a}, b = {b}");
        if (!(x >= 0 && x <= 1))
            throw new ArgumentOutOfRangeException(nameof(x), x, "the incomplete beta needs x in [0, 1]");
        if (x == 0 || x == 1)
            return x;
        if (x > (a + 1) / (a + b + 2))
            return 1 - RegularizedIncompleteBeta(b, a, 1 - x);
        double logFront = (a * Math.Log(x)) + (b * Math.Log(1 - x)) - LogBeta(a, b) - Math.Log(a);
        return Math.Exp(logFront) * BetaFraction(a, b, x);
    }

    /// <summary>The x in [0, 1] with I_x(a, b) = p, by bisection to the resolution of a double.</summary>
    public static double InverseRegularizedIncompleteBeta(double a, double b, double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "the inverse incomplete beta needs p in [0, 1]");
        if (p == 0 || p == 1)
            return p;
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 1100; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (mid <= lo || mid >= hi)
                break;
            if (RegularizedIncompleteBeta(a, b, mid) < p)
                lo = mid;
            else
                hi = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>P(X ≤ k) for X ~ Binomial(n, p): I_{1−p}(n − k, k + 1).</summary>
    public static double BinomialCdf(long k, long n, double p)
    {
        CheckCounts(k, n, allowNegative: true);
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must lie in [0, 1]");
        if (k < 0)
            return 0;
        if (k >= n)
            return 1;
        return RegularizedIncompleteBeta(n - k, k + 1, 1 - p);
    }

    /// <summary>
    /// The p-value of the exact two-sided binomial test of k successes in n trials against p = ½:
    /// min(1, 2·P(X ≤ min(k, n − k))), which for the symmetric null equals summing the outcomes no
    /// more likely than k (SciPy's binomtest).
    /// </summary>
    public static double BinomialTestTwoSided(long k, long n)
    {
        CheckCounts(k, n);
        if (n == 0)
            return 1;
        if (2 * k == n)
            return 1;
        return Math.Min(1, 2 * BinomialCdf(Math.Min(k, n - k), n, 0.5));
    }

    /// <summary>
    /// The one-sided (1 − α) Clopper–Pearson lower bound on a binomial proportion after k successes
    /// in n trials: the α quantile of Beta(k, n − k + 1), and 0 when k = 0. It is the lower end of
    /// the two-sided (1 − 2α) interval.
    /// </summary>
    public static double ClopperPearsonLower(long k, long n, double alpha)
    {
        CheckCounts(k, n);
        CheckAlpha(alpha);
        return k == 0 ? 0 : InverseRegularizedIncompleteBeta(k, n - k + 1, alpha);
    }

    /// <summary>The one-sided (1 − α) Clopper–Pearson upper bound: the 1 − α quantile of Beta(k + 1, n − k), and 1 when k = n.</summary>
    public static double ClopperPearsonUpper(long k, long n, double alpha)
    {
        CheckCounts(k, n);
        CheckAlpha(alpha);
        return k == n ? 1 : InverseRegularizedIncompleteBeta(k + 1, n - k, 1 - alpha);
    }

    /// <summary>
    /// The standard normal quantile Φ⁻¹(p) for p in (0, 1): Abramowitz &amp; Stegun's 26.2.23 as the
    /// start (error below 4.5e-4), then Newton steps on Φ computed from erfc, in the tail that keeps
    /// precision. ±∞ at 0 and 1.
    /// </summary>
    public static double NormalQuantile(double p)
    {
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability must lie in [0, 1]");
        if (p == 0)
            return double.NegativeInfinity;
        if (p == 1)
            return double.PositiveInfinity;
        if (p > 0.5)
            return -NormalQuantile(1 - p);
        double t = Math.Sqrt(-2 * Math.Log(p));
        double x = -(t - ((2.515517 + (0.802853 * t) + (0.010328 * t * t)) / (1 + (1.432788 * t) + (0.189269 * t * t) + (0.001308 * t * t * t))));
        for (int i = 0; i < 6; i++)
        {
            double density = Math.Exp(-0.5 * x * x) / Math.Sqrt(2 * Math.PI);
            double step = (SpecialFunctions.NormalCdf(x) - p) / density;
            x -= step;
            if (Math.Abs(step) < 1e-15 * Math.Max(1, Math.Abs(x)))
                break;
        }
        return x;
    }

    private static double LogBeta(double a, double b) => LogGamma(a) + LogGamma(b) - LogGamma(a + b);

    /// <summary>The continued fraction 1/(1 + d₁/(1 + d₂/(1 + …))) of the incomplete beta function.</summary>
    private static double BetaFraction(double a, double b, double x)
    {
        const double Tiny = 1e-300;
        double c = 1;
        double d = 1 - ((a + b) * x / (a + 1));
        d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
        double f = d;
        for (int m = 1; m <= MaxFractionTerms; m++)
        {
            double even = m * (b - m) * x / ((a + (2 * m) - 1) * (a + (2 * m)));
            double odd = -(a + m) * (a + b + m) * x / ((a + (2 * m)) * (a + (2 * m) + 1));
            foreach (double coefficient in (ReadOnlySpan<double>)[even, odd])
            {
                d = 1 + (coefficient * d);
                d = 1 / (Math.Abs(d) < Tiny ? Tiny : d);
                c = 1 + (coefficient / c);
                c = Math.Abs(c) < Tiny ? Tiny : c;
                f *= c * d;
            }
            if (Math.Abs((c * d) - 1) < 1e-16)
                return f;
        }
        return f;
    }

    private static void CheckCounts(long k, long n, bool allowNegative = false)
    {
        if (n < 0 || k > n || (!allowNegative && k < 0))
            throw new ArgumentOutOfRangeException(nameof(k), $"counts must satisfy 0 ≤ k ≤ n, got k = {k}, n = {n}");
    }

    private static void CheckAlpha(double alpha)
    {
        if (!(alpha > 0 && alpha < 1))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must lie in (0, 1)");
    }
}
