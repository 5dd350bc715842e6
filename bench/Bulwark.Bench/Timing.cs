using System.Diagnostics;

namespace Bulwark.Bench;

/// <summary>Median wall time of repeated runs after warm-up.</summary>
internal static class Timing
{
    public static double MedianMs(Action action, int warmup, int runs)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }
        var times = new double[runs];
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var sw = Stopwatch.StartNew();
            action();
            times[i] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return runs % 2 == 1 ? times[runs / 2] : 0.5 * (times[(runs / 2) - 1] + times[runs / 2]);
    }
}
