using System.Runtime.ExceptionServices;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// Dedicated worker threads that run one GEMM's parts at the same time. Thread-pool work items
/// may run one after another, which would deadlock parts that wait on each other at a barrier;
/// these threads exist only for this and are always free when the team is.
/// </summary>
internal static class GemmTeam
{
    /// <summary>Work split into <c>count</c> parts that run concurrently and may meet at barriers.</summary>
    internal abstract class Job
    {
        /// <summary>Runs part <paramref name="index"/> of <paramref name="count"/>.</summary>
        public abstract void Execute(int index, int count);
    }

    private static readonly Lock Growth = new();
    private static Worker[] workers = [];
    private static int busy;
    private static int pending;
    private static readonly ManualResetEventSlim Done = new(false);
    private static Exception? failure;

    /// <summary>
    /// Runs <paramref name="job"/> on the calling thread and <paramref name="count"/> − 1 workers,
    /// returning when all parts have finished. Returns false, running nothing, when another
    /// caller holds the team.
    /// </summary>
    public static bool TryRun(Job job, int count)
    {
        if (Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            return false;
        }
        try
        {
            var team = Grow(count - 1);
            failure = null;
            Done.Reset();
            Volatile.Write(ref pending, count - 1);
            for (int i = 0; i < count - 1; i++)
            {
                team[i].Start(job, i + 1, count);
            }
            job.Execute(0, count);
            Done.Wait();
            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
            return true;
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    private static Worker[] Grow(int needed)
    {
        if (workers.Length >= needed)
        {
            return workers;
        }
        lock (Growth)
        {
            if (workers.Length < needed)
            {
                var grown = new Worker[needed];
                workers.CopyTo(grown, 0);
                for (int i = workers.Length; i < needed; i++)
                {
                    grown[i] = new Worker(i + 1);
                }
                workers = grown;
            }
            return workers;
        }
    }

    private static void Finished(Exception? error)
    {
        if (error is not null)
        {
            Interlocked.CompareExchange(ref failure, error, null);
        }
        if (Interlocked.Decrement(ref pending) == 0)
        {
            Done.Set();
        }
    }

    private sealed class Worker
    {
        private readonly SemaphoreSlim go = new(0);
        private Job? job;
        private int index;
        private int count;

        public Worker(int number)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Bulwark GEMM {number}" };
            thread.Start();
        }

        public void Start(Job work, int part, int parts)
        {
            job = work;
            index = part;
            count = parts;
            go.Release();
        }

        private void Loop()
        {
            while (true)
            {
                go.Wait();
                Exception? error = null;
                try
                {
                    job!.Execute(index, count);
                }
#pragma warning disable CA1031 // a worker must survive to report the failure to the caller, who rethrows it
                catch (Exception e)
#pragma warning restore CA1031
                {
                    error = e;
                }
                job = null;
                Finished(error);
            }
        }
    }
}

/// <summary>
/// Sense-counting barrier for the parts of one team job. Parts spin (yielding, never sleeping a
/// whole tick) because the wait is normally a few microseconds between two running cores.
/// </summary>
internal sealed class GemmBarrier(int parts)
{
    private readonly int size = parts;
    private int remaining = parts;
    private int phase;

    /// <summary>Blocks until all parts have called it for the current phase.</summary>
    public void SignalAndWait()
    {
        int current = Volatile.Read(ref phase);
        if (Interlocked.Decrement(ref remaining) == 0)
        {
            remaining = size;
            Volatile.Write(ref phase, current + 1);
            return;
        }
        var spin = default(SpinWait);
        while (Volatile.Read(ref phase) == current)
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
