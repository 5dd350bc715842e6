namespace Bulwark.Engine.Kernels;

/// <summary>
/// Static partitioning for the convolution and pooling kernels: work items are cut into
/// contiguous ranges, one per worker, so which worker computes what depends only on the item
/// count and <see cref="EngineSettings.Threads"/>, never on scheduling.
/// </summary>
internal static class ConvParallel
{
    /// <summary>Workers to use for the given number of independent items.</summary>
    public static int Workers(long items) => (int)Math.Max(1, Math.Min(EngineSettings.Threads, items));

    /// <summary>Start of worker <paramref name="worker"/>'s range when <paramref name="items"/> are cut into <paramref name="parts"/>.</summary>
    public static int Start(int items, int parts, int worker) => (int)((long)items * worker / parts);

    /// <summary>
    /// Runs <paramref name="body"/>(worker, start, end) for <paramref name="workers"/> contiguous
    /// ranges of [0, items); on the calling thread when there is one worker.
    /// </summary>
    public static void For(int items, int workers, Action<int, int, int> body)
    {
        if (workers <= 1)
        {
            body(0, 0, items);
            return;
        }
        Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers },
            wk => body(wk, Start(items, workers, wk), Start(items, workers, wk + 1)));
    }
}
