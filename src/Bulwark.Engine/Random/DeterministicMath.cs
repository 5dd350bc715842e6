namespace Bulwark.Engine;

/// <summary>
/// Elementary functions built only from IEEE basic operations, so they give the same bits on
/// every platform (the runtime's Math.Log defers to the C library, which may differ in the last
/// place between Windows, glibc and macOS). Used where a sampler's output must be reproducible.
/// </summary>
internal static class DeterministicMath
{
    private const double Ln2 = 0.69314718055994530942;
    private const double Sqrt2 = 1.41421356237309504880;

    /// <summary>Natural logarithm of a positive finite double, to within a few ulps.</summary>
    public static double Log(double x)
    {
        if (!(x > 0.0) || double.IsPositiveInfinity(x))
        {
            return x == 0.0 ? double.NegativeInfinity : double.IsPositiveInfinity(x) ? x : double.NaN;
        }
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        int bias = 1023;
        if (exponent == 0)
        {
            // Subnormal: scale into the normal range first; 2^54 is exact.
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0);
            exponent = (int)((bits >> 52) & 0x7FF);
            bias += 54;
        }
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L);
        int e = exponent - bias;
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }
        // ln m = 2·artanh(s) with s = (m−1)/(m+1), |s| ≤ 0.172, so twelve odd terms reach double precision.
        double s = (m - 1.0) / (m + 1.0);
        double s2 = s * s;
        double series = 1.0 / 25.0;
        for (int k = 11; k >= 0; k--)
        {
            series = (1.0 / ((2 * k) + 1)) + (s2 * series);
        }
        return (e * Ln2) + (2.0 * s * series);
    }
}
