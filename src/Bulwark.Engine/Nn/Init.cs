namespace Bulwark.Engine.Nn;

/// <summary>PyTorch's default initialisations, drawn from an explicit generator.</summary>
internal static class Init
{
    /// <summary>
    /// U(−1/√fan_in, 1/√fan_in): what PyTorch's Linear and Conv defaults (Kaiming-uniform with
    /// a = √5 for weights, the same bound for biases) reduce to.
    /// </summary>
    public static Tensor FanInUniform(Rng rng, int fanIn, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        float bound = 1f / MathF.Sqrt(fanIn);
        return Tensor.Uniform(rng, -bound, bound, shape);
    }

    public static void CheckPositive(int value, string what)
    {
        if (value <= 0)
        {
            throw new BulwarkInputException($"{what} must be positive, got {value}.");
        }
    }
}
