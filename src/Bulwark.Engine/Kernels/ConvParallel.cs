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
    /// Runs <paramref name="body"/> on the calling thread and on up to <paramref name="workers"/> − 1
    /// helpers of <see cref="GemmTeam"/>; each takes items of [0, items) from a shared counter
    /// (<see cref="Claims.Next"/>) until none are left. A helper that starts late finds less or no
    /// work instead of holding the caller up, and there is no hand-off through the thread pool.
    /// Use it only where an item's result does not depend on which thread computes it.
    /// </summary>
    public static void Claim(int items, int workers, Action<Claims> body)
    {
        var job = new ClaimJob(items, body);
        if (workers <= 1)
        {
            job.Execute();
            return;
        }
        GemmTeam.Run(job, workers - 1);
    }

    /// <summary>The shared item counter of one <see cref="Claim"/> call.</summary>
    internal sealed class Claims(int items)
    {
        private int next = -1;

        /// <summary>The next unclaimed item, or −1 when all are taken.</summary>
        public int Next()
        {
            int item = Interlocked.Increment(ref next);
            return item < items ? item : -1;
        }
    }

    private sealed class ClaimJob(int items, Action<Claims> body) : GemmTeam.Job
    {
        private readonly Claims claims = new(items);

        public override void Execute() => body(claims);
    }

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
