namespace Bulwark.Engine;

/// <summary>Special functions in double precision.</summary>
public static class SpecialFunctions
{
    /// <summary>
    /// The error function, to about 1e-15 relative accuracy: a Taylor series for |x| &lt; 2.5 and
    /// the continued fraction of erfc beyond.
    /// </summary>
    public static double Erf(double x)
    {
        if (double.IsNaN(x))
        {
            return double.NaN;
        }
        double ax = Math.Abs(x);
        if (ax < 2.5)
        {
            double term = ax;
            double sum = ax;
            double x2 = ax * ax;
            for (int n = 1; n < 200; n++)
            {
                term *= -x2 / n;
                double add = term / ((2 * n) + 1);
                sum += add;
                if (Math.Abs(add) < 1e-17 * Math.Abs(sum))
                {
                    break;
                }
            }
            double r = 2.0 / Math.Sqrt(Math.PI) * sum;
            return x < 0 ? -r : r;
        }
        double erfc = Erfc(ax);
        return x < 0 ? erfc - 1.0 : 1.0 - erfc;
    }

    /// <summary>The complementary error function 1 − erf(x).</summary>
    public static double Erfc(double x)
    {
        if (x < 2.5)
        {
            return 1.0 - Erf(x);
        }
        // Lentz's continued fraction for erfc(x)·√π·e^{x²} = 1/(x+ 1/2/(x+ 1/(x+ 3/2/(x+ …)))).
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0;
        for (int n = 1; n < 300; n++)
        {
            double an = n / 2.0;
            d = x + (an * d);
            d = Math.Abs(d) < tiny ? tiny : d;
            c = x + (an / c);
            c = Math.Abs(c) < tiny ? tiny : c;
            d = 1.0 / d;
            double delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1.0) < 1e-16)
            {
                break;
            }
        }
        return Math.Exp(-x * x) / (f * Math.Sqrt(Math.PI));
    }

    /// <summary>The standard normal cumulative distribution Φ(x).</summary>
    public static double NormalCdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2.0));
}
