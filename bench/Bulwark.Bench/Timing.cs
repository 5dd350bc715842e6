using System.Diagnostics;

namespace Bulwark.Bench;

/// <summary>Median wall time of repeated runs after warm-up.</summary>
/// <remarks>
/// Warm-up runs for at least <see cref="WarmUpSeconds"/> as well as the count asked for: .NET
/// compiles a method first without optimisation and recompiles it fully optimised in the
/// background once it has run often enough, so a process's first hundred or so forward passes of
/// the reference CNN run about 20 % slower than all later ones, and its first ~150 training steps
/// (about 3 s) up to 40 % slower. Timing those would measure the JIT's start-up, not the kernels.
/// </remarks>
internal static class Timing
{
    /// <summary>Least time the warm-up runs for.</summary>
    public const double WarmUpSeconds = 3.0;

    public static double MedianMs(Action action, int warmup, int runs) => Median(RunsMs(action, warmup, runs));

    /// <summary>Runs <paramref name="action"/> at least <paramref name="runs"/> times and for at least <paramref name="seconds"/> (at most 2,000 runs).</summary>
    public static void WarmUp(Action action, int runs, double seconds = WarmUpSeconds)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 2000 && (i < runs || clock.Elapsed.TotalSeconds < seconds); i++)
        {
            action();
        }
    }

    /// <summary>
    /// The wall times of <paramref name="runs"/> back-to-back runs after a warm-up of at least
    /// <paramref name="warmup"/> untimed ones (<see cref="WarmUp"/>) and one full collection. The
    /// runs are not separated by further collections: a forced collection before each run made the
    /// next one pay for re-touching the memory it had returned (the training step measured 22.4 ms
    /// that way against 18.4 ms in a plain loop, which is how training runs), and the Python peers
    /// time plain loops too. A collection that falls inside a run is part of the cost; the median
    /// keeps a rare one from deciding the figure.
    /// </summary>
    public static List<double> RunsMs(Action action, int warmup, int runs, double warmUpSeconds = WarmUpSeconds)
    {
        WarmUp(action, warmup, warmUpSeconds);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var times = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            var sw = Stopwatch.StartNew();
            action();
            times.Add(sw.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    /// <summary>The median of some times.</summary>
    public static double Median(IEnumerable<double> times)
    {
        var sorted = times.Order().ToArray();
        int n = sorted.Length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[(n / 2) - 1] + sorted[n / 2]);
    }
}
