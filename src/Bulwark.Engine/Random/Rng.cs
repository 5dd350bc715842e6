using System.Numerics;

namespace Bulwark.Engine;

/// <summary>
/// A seeded pseudo-random generator whose output is the same on every run, runtime and platform:
/// xoshiro256** (Blackman &amp; Vigna, "Scrambled linear pseudorandom number generators", 2021)
/// with its 256-bit state filled from the seed by SplitMix64 (Steele, Lea &amp; Flood 2014).
/// </summary>
/// <remarks>
/// Everything derived from the raw 64-bit stream uses only integer arithmetic and IEEE basic
/// operations (+, −, ×, ÷, √), which are correctly rounded everywhere; the normal sampler's
/// logarithm is computed here rather than by the platform's libm, whose last bit may differ
/// between operating systems. <see cref="Fork"/> derives an independent stream for a component
/// (a dropout layer, a data loader) so adding draws in one place does not shift another.
/// Not thread-safe and not cryptographic.
/// </remarks>
public sealed class Rng
{
    private const ulong GoldenGamma = 0x9E3779B97F4A7C15UL;

    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;
    private double spareNormal;
    private bool hasSpareNormal;

    /// <summary>Creates a generator from a seed; equal seeds give equal sequences.</summary>
    public Rng(ulong seed)
    {
        ulong sm = seed;
        s0 = SplitMix64(ref sm);
        s1 = SplitMix64(ref sm);
        s2 = SplitMix64(ref sm);
        s3 = SplitMix64(ref sm);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = BitOperations.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = BitOperations.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>The next 32 uniformly distributed bits (the high half of a 64-bit draw, the better-mixed one).</summary>
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A float uniform on [0, 1): one of the 2²⁴ evenly spaced values, so it is never rounded up to 1.</summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1f / (1 << 24));

    /// <summary>A double uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>An integer uniform on [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new BulwarkInputException($"Rng.NextInt: the bound must be positive, got {maxExclusive}.");
        }
        // Lemire (2019), "Fast random integer generation in an interval": the high word of a
        // 32×32 product is uniform once the few low words that would bias it are rejected.
        uint n = (uint)maxExclusive;
        ulong m = (ulong)NextUInt32() * n;
        uint low = (uint)m;
        if (low < n)
        {
            uint threshold = (0u - n) % n;
            while (low < threshold)
            {
                m = (ulong)NextUInt32() * n;
                low = (uint)m;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>An integer uniform on [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new BulwarkInputException($"Rng.NextInt: empty range [{minInclusive}, {maxExclusive}).");
        }
        long width = (long)maxExclusive - minInclusive;
        if (width > int.MaxValue)
        {
            throw new BulwarkInputException($"Rng.NextInt: range [{minInclusive}, {maxExclusive}) is wider than int.MaxValue.");
        }
        return minInclusive + NextInt((int)width);
    }

    /// <summary>A float uniform on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public float Uniform(float low, float high)
    {
        CheckRange(low, high, "Rng.Uniform");
        float r = low + ((high - low) * NextFloat());
        // low + (high − low)·u can round up to high when the range is wide relative to low.
        return r < high || low == high ? r : MathF.BitDecrement(high);
    }

    /// <summary>A standard normal draw (mean 0, variance 1), by Marsaglia's polar method; draws come in pairs and the second is kept for the next call.</summary>
    public double NextNormal()
    {
        if (hasSpareNormal)
        {
            hasSpareNormal = false;
            return spareNormal;
        }
        double u;
        double v;
        double s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);
        double factor = Math.Sqrt(-2.0 * DeterministicMath.Log(s) / s);
        spareNormal = v * factor;
        hasSpareNormal = true;
        return u * factor;
    }

    /// <summary>A normal draw with the given mean and standard deviation.</summary>
    public float Normal(float mean = 0f, float std = 1f)
    {
        if (!float.IsFinite(mean) || !(std >= 0f) || !float.IsFinite(std))
        {
            throw new BulwarkInputException($"Rng.Normal: mean must be finite and std finite and non-negative, got mean {mean}, std {std}.");
        }
        return (float)(mean + (std * NextNormal()));
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Bernoulli(double p)
    {
        CheckProbability(p, "Rng.Bernoulli");
        return NextDouble() < p;
    }

    /// <summary>A uniformly random permutation of 0 … n−1 (Fisher–Yates).</summary>
    public int[] Permutation(int n)
    {
        if (n < 0)
        {
            throw new BulwarkInputException($"Rng.Permutation: n must be non-negative, got {n}.");
        }
        var p = new int[n];
        for (int i = 0; i < n; i++)
        {
            p[i] = i;
        }
        Shuffle(p.AsSpan());
        return p;
    }

    /// <summary>Shuffles a span in place, every order equally likely (Fisher–Yates).</summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// A new generator for a sub-component, seeded from one draw of this one; the child's stream
    /// is a hash of that draw, so it is statistically independent of the parent's.
    /// </summary>
    public Rng Fork() => new(NextUInt64() ^ GoldenGamma);

    /// <summary><paramref name="count"/> independent generators, forked in order.</summary>
    public Rng[] Split(int count)
    {
        if (count < 0)
        {
            throw new BulwarkInputException($"Rng.Split: count must be non-negative, got {count}.");
        }
        var result = new Rng[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = Fork();
        }
        return result;
    }

    internal static void CheckProbability(double p, string what)
    {
        if (!(p >= 0.0 && p <= 1.0))
        {
            throw new BulwarkInputException($"{what}: probability must lie in [0, 1], got {p}.");
        }
    }

    internal static void CheckRange(float low, float high, string what)
    {
        if (!float.IsFinite(low) || !float.IsFinite(high) || low > high)
        {
            throw new BulwarkInputException($"{what}: need finite low ≤ high, got [{low}, {high}).");
        }
    }

    private static ulong SplitMix64(ref ulong state)
    {
        state += GoldenGamma;
        ulong z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
