namespace Bulwark.Engine;

/// <summary>
/// Random tensor factories. They are static members of <see cref="Tensor"/> itself
/// (<c>Tensor.Randn(rng, 3, 4)</c>) so that they sit beside <see cref="Zeros"/> and
/// <see cref="Ones"/>; every one takes the <see cref="Rng"/> explicitly, because a hidden global
/// generator would make a run's numbers depend on what else drew from it. Elements are drawn in
/// row-major order, so a shape's values are a prefix-stable function of the generator's state.
/// The results are leaves that do not require gradients.
/// </summary>
public sealed partial class Tensor
{
    /// <summary>Values uniform on [0, 1).</summary>
    public static Tensor Rand(Rng rng, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        var d = t.storage;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = rng.NextFloat();
        }
        return t;
    }

    /// <summary>Values uniform on [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public static Tensor Uniform(Rng rng, float low, float high, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Rng.CheckRange(low, high, "Tensor.Uniform");
        var t = Zeros(shape);
        var d = t.storage;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = rng.Uniform(low, high);
        }
        return t;
    }

    /// <summary>Standard normal values (mean 0, variance 1).</summary>
    public static Tensor Randn(Rng rng, params int[] shape) => Normal(rng, 0f, 1f, shape);

    /// <summary>Normal values with the given mean and standard deviation.</summary>
    public static Tensor Normal(Rng rng, float mean, float std, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        var d = t.storage;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = rng.Normal(mean, std);
        }
        return t;
    }

    /// <summary>Values 1 with probability <paramref name="p"/>, else 0.</summary>
    public static Tensor Bernoulli(Rng rng, float p, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Rng.CheckProbability(p, "Tensor.Bernoulli");
        var t = Zeros(shape);
        var d = t.storage;
        for (int i = 0; i < d.Length; i++)
        {
            d[i] = rng.NextDouble() < p ? 1f : 0f;
        }
        return t;
    }
}
