namespace Bulwark.Engine.Kernels;

/// <summary>
/// A packing buffer on the pinned heap, its usable start aligned to a cache line so that packed
/// panels never straddle lines. Pinned, so a raw pointer into it stays valid while it is rented.
/// </summary>
internal sealed unsafe class GemmBuffer
{
    private const int AlignFloats = 16;

    private readonly float[] storage;

    private GemmBuffer(int capacity)
    {
        storage = GC.AllocateUninitializedArray<float>(capacity + AlignFloats, pinned: true);
        Capacity = capacity;
        fixed (float* p = storage)
        {
            int skip = (int)((64 - ((nuint)p & 63)) & 63) / sizeof(float);
            Pointer = p + skip;
        }
    }

    /// <summary>Floats available from <see cref="Pointer"/>.</summary>
    public int Capacity { get; }

    /// <summary>Cache-line-aligned start of the buffer.</summary>
    public float* Pointer { get; }

    private static readonly GemmBuffer?[] Pool = new GemmBuffer?[16];

    /// <summary>Takes a pooled buffer of at least <paramref name="floats"/> floats, or allocates one.</summary>
    public static GemmBuffer Rent(int floats)
    {
        for (int i = 0; i < Pool.Length; i++)
        {
            var candidate = Volatile.Read(ref Pool[i]);
            if (candidate is not null && candidate.Capacity >= floats
                && Interlocked.CompareExchange(ref Pool[i], null, candidate) == candidate)
            {
                return candidate;
            }
        }
        return new GemmBuffer(floats);
    }

    /// <summary>
    /// Gives a buffer back. It goes to an empty slot, else it displaces a smaller one, else the
    /// collector gets it: the pool keeps the largest buffers callers have needed.
    /// </summary>
    public static void Return(GemmBuffer buffer)
    {
        for (int i = 0; i < Pool.Length; i++)
        {
            if (Volatile.Read(ref Pool[i]) is null && Interlocked.CompareExchange(ref Pool[i], buffer, null) is null)
            {
                return;
            }
        }
        for (int i = 0; i < Pool.Length; i++)
        {
            var held = Volatile.Read(ref Pool[i]);
            if (held is not null && held.Capacity < buffer.Capacity
                && Interlocked.CompareExchange(ref Pool[i], buffer, held) == held)
            {
                return;
            }
        }
    }
}
