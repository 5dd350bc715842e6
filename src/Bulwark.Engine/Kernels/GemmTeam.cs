using System.Runtime.ExceptionServices;

namespace Bulwark.Engine.Kernels;

/// <summary>
/// Dedicated helper threads for GEMM. A job hands out its work in units taken from shared counters,
/// so any number of participants, including the caller alone, finish it: a helper the scheduler
/// starts late (the cores are shared) takes fewer units instead of stalling the others at a barrier.
/// </summary>
internal static class GemmTeam
{
    /// <summary>Work that participants share by taking units until none are left.</summary>
    internal abstract class Job
    {
        private const int Closed = -1;

        /// <summary>Participants inside <see cref="Execute"/>, or <see cref="Closed"/> once the caller is done.</summary>
        private int active;
        private Exception? failure;

        /// <summary>Takes and runs units until none are left; may run on several threads at once.</summary>
        public abstract void Execute();

        /// <summary>Runs <see cref="Execute"/> unless the caller has already finished the job.</summary>
        internal void Join()
        {
            int seen = Volatile.Read(ref active);
            while (true)
            {
                if (seen == Closed)
                {
                    return;
                }
                int was = Interlocked.CompareExchange(ref active, seen + 1, seen);
                if (was == seen)
                {
                    break;
                }
                seen = was;
            }
            try
            {
                Execute();
            }
#pragma warning disable CA1031 // a helper must survive to hand the failure to the caller, who rethrows it
            catch (Exception e)
#pragma warning restore CA1031
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
            Interlocked.Decrement(ref active);
        }

        /// <summary>The caller's part: run, wait for helpers still inside, then shut late ones out.</summary>
        internal void Lead()
        {
            try
            {
                Execute();
            }
            finally
            {
                var spin = default(SpinWait);
                while (Interlocked.CompareExchange(ref active, Closed, 0) != 0)
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
            if (failure is not null)
            {
                ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
    }

    private static Helper[] helpers = [];
    private static int busy;

    /// <summary>
    /// Runs <paramref name="job"/> on the calling thread with up to <paramref name="helperCount"/>
    /// helpers and returns when it is complete. While another caller holds the helpers, the calling
    /// thread does all the work itself.
    /// </summary>
    public static void Run(Job job, int helperCount)
    {
        if (helperCount < 1 || Interlocked.CompareExchange(ref busy, 1, 0) != 0)
        {
            job.Lead();
            return;
        }
        try
        {
            var team = Enlist(helperCount);
            for (int i = 0; i < helperCount; i++)
            {
                team[i].Post(job);
            }
            job.Lead();
        }
        finally
        {
            Volatile.Write(ref busy, 0);
        }
    }

    /// <summary>Grows the team to <paramref name="needed"/> helpers; only the holder of the team calls it.</summary>
    private static Helper[] Enlist(int needed)
    {
        if (helpers.Length < needed)
        {
            var grown = new Helper[needed];
            helpers.CopyTo(grown, 0);
            for (int i = helpers.Length; i < needed; i++)
            {
                grown[i] = new Helper(i + 1);
            }
            helpers = grown;
        }
        return helpers;
    }

    private sealed class Helper
    {
        private readonly SemaphoreSlim wake = new(0);
        private Job? job;

        public Helper(int number)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Bulwark GEMM helper {number}" };
            thread.Start();
        }

        public void Post(Job work)
        {
            Volatile.Write(ref job, work);
            wake.Release();
        }

        private void Loop()
        {
            while (true)
            {
                wake.Wait();
                Volatile.Read(ref job)?.Join();
            }
        }
    }
}
