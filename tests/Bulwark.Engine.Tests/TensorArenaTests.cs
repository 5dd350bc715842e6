using Bulwark.Engine;

namespace Bulwark.Engine.Tests;

public class TensorArenaTests
{
    [Fact]
    public void A_closed_arena_hands_its_buffers_to_the_next_one_and_zeros_them_when_asked()
    {
        const int n = 40_000;
        float[] first;
        using (TensorArena.Begin())
        {
            var t = Tensor.Full(3f, n);
            first = t.storage;
        }
        float[] second;
        using (var arena = TensorArena.Begin())
        {
            var z = Tensor.Zeros(n);
            second = z.storage;
            Assert.All(z.ToArray(), v => Assert.Equal(0f, v));
            Assert.Equal(1, arena.RentedCount);
        }
        Assert.Same(first, second);
    }

    [Fact]
    public void Suspended_and_small_allocations_and_copies_out_are_never_recycled()
    {
        Tensor kept;
        float[] copied;
        using (TensorArena.Begin())
        {
            using (TensorArena.Suspend())
            {
                kept = Tensor.Full(5f, 50_000);
            }
            var small = Tensor.Full(1f, 100);
            var big = Tensor.Full(7f, 50_000);
            copied = big.ToArray();
            Assert.NotSame(big.storage, copied);
            Assert.Equal(100, small.Size);
        }
        using (TensorArena.Begin())
        {
            var reuse = Tensor.Full(9f, 50_000);
            Assert.NotSame(kept.storage, reuse.storage);
        }
        Assert.All(kept.ToArray(), v => Assert.Equal(5f, v));
        Assert.All(copied, v => Assert.Equal(7f, v));
    }
}
