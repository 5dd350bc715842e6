using System.Collections.Concurrent;

namespace Bulwark.Engine;

/// <summary>
/// A scope whose large tensor buffers are recycled when it ends. Allocating a fresh multi-megabyte
/// array costs far more than filling it (the operating system maps and faults in every page, and
/// each large allocation brings a full collection closer); a training step allocates the same
/// sizes every time, so the trainer runs each step inside an arena and the next step reuses the
/// buffers. Every tensor created inside the scope must be dead when it ends: results that outlive
/// it must be copied out (<see cref="Tensor.ToArray"/>) or created inside <see cref="Suspend"/>.
/// Only the thread that opened the arena allocates from it; buffers below 64 KiB always come from
/// the garbage collector.
/// </summary>
public sealed class TensorArena : IDisposable
{
    private const int MinPooledLength = 16 * 1024;
    private const long MaxPooledBytes = 2L << 30;

    [ThreadStatic]
    private static TensorArena? current;

    [ThreadStatic]
    private static int suspended;

    private static readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> Pool = new();
    private static long pooledBytes;

    private readonly TensorArena? outer;
    private readonly List<float[]> rented = [];
    private bool disposed;

    private TensorArena(TensorArena? outer) => this.outer = outer;

    /// <summary>Opens an arena on this thread; dispose it to recycle its buffers.</summary>
    public static TensorArena Begin() => current = new TensorArena(current);

    /// <summary>Allocations inside the returned scope come from the garbage collector even inside an arena.</summary>
    public static SuspendScope Suspend()
    {
        suspended++;
        return default;
    }

    /// <summary>Ends a <see cref="Suspend"/> scope.</summary>
    public readonly struct SuspendScope : IDisposable
    {
        /// <inheritdoc />
        public void Dispose() => suspended--;
    }

    /// <summary>Buffers handed out by this arena so far.</summary>
    public int RentedCount => rented.Count;

    /// <summary>A float buffer of exactly <paramref name="length"/> elements, zeroed when asked.</summary>
    internal static float[] Allocate(int length, bool zeroed)
    {
        var arena = current;
        if (arena is null || suspended > 0 || length < MinPooledLength)
        {
            return zeroed ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        }
        float[]? buffer = null;
        if (Pool.TryGetValue(length, out var bag) && bag.TryTake(out buffer))
        {
            Interlocked.Add(ref pooledBytes, -4L * length);
            if (zeroed)
            {
                Array.Clear(buffer);
            }
        }
        buffer ??= zeroed ? new float[length] : GC.AllocateUninitializedArray<float>(length);
        arena.rented.Add(buffer);
        return buffer;
    }

    /// <summary>Returns every buffer of this arena to the pool and closes it.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }
        disposed = true;
        if (current == this)
        {
            current = outer;
        }
        foreach (var buffer in rented)
        {
            if (Interlocked.Add(ref pooledBytes, 4L * buffer.Length) > MaxPooledBytes)
            {
                Interlocked.Add(ref pooledBytes, -4L * buffer.Length);
                continue;
            }
            Pool.GetOrAdd(buffer.Length, _ => []).Add(buffer);
        }
        rented.Clear();
    }
}
