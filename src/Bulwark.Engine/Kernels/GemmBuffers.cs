namespace Bulwark.Engine.Kernels;

/// <summary>
/// A packing buffer on the pinned heap, its usable start aligned to a cache line so that packed
/// panels never straddle lines. Pinned, so a raw pointer into it stays valid while it is rented.
/// </summary>
/// <remarks>
/// Packing writes through raw pointers, where an undersized buffer would silently corrupt the
/// pinned heap. A guard word just past the size each renter asked for turns that into an exception
/// when the buffer comes back.
/// </remarks>
internal sealed unsafe class GemmBuffer
{
    private const int AlignFloats = 16;
    private const int GuardFloats = 16;
    private const uint Guard = 0x7FC0_DEADu;

    private readonly float[] storage;
    private int requested;

    private GemmBuffer(int capacity)
    {
        storage = GC.AllocateUninitializedArray<float>(capacity + AlignFloats + GuardFloats, pinned: true);
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
                return candidate.Arm(floats);
            }
        }
        return new GemmBuffer(floats).Arm(floats);
    }

    private GemmBuffer Arm(int floats)
    {
        requested = floats;
        new Span<uint>(Pointer + floats, GuardFloats).Fill(Guard);
        return this;
    }

    /// <summary>
    /// Gives a buffer back. It goes to an empty slot, else it displaces a smaller one, else the
    /// collector gets it: the pool keeps the largest buffers callers have needed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Packing wrote past the size asked for at <see cref="Rent"/>.</exception>
    public static void Return(GemmBuffer buffer)
    {
        if (new Span<uint>(buffer.Pointer + buffer.requested, GuardFloats).ContainsAnyExcept(Guard))
        {
            throw new InvalidOperationException($"GEMM packing overran a buffer of {buffer.requested} floats.");
        }
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
