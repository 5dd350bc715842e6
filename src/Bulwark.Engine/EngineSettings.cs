namespace Bulwark.Engine;

/// <summary>Process-wide settings of the engine's kernels.</summary>
public static class EngineSettings
{
    private static int threads = Environment.ProcessorCount;

    /// <summary>
    /// Number of threads the kernels split work across. Defaults to the core count. Results are
    /// bit-identical for a given thread count; they may differ in the last bits between counts.
    /// </summary>
    public static int Threads
    {
        get => threads;
        set
        {
            if (value < 1 || value > 1024)
            {
                throw new BulwarkInputException($"EngineSettings.Threads must be in 1..1024, got {value}.");
            }
            threads = value;
        }
    }

    /// <summary>
    /// Whether inference (nothing recorded) may run a 3×3, stride-1 convolution followed by ReLU and
    /// 2×2 max pooling by Winograd's minimal filtering F(2×2, 3×3) (Lavin &amp; Gray 2016), which does
    /// 16 multiplications per channel and 2×2 block instead of 36. On by default. Its results differ
    /// from the direct convolution's in the last bits (about 1e-6 relative); they are still the same
    /// on every run for a given thread count. Turn it off when inference must match a recorded
    /// forward pass bit for bit.
    /// </summary>
    public static bool WinogradConvolution { get; set; } = true;
}
