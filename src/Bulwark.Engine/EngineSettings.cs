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
}
