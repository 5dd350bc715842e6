using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class DropoutTests
{
    [Fact]
    public void Same_seed_same_masks_and_successive_batches_differ()
    {
        var a = new Dropout(0.5f, new Rng(3));
        var b = new Dropout(0.5f, new Rng(3));
        var x = Tensor.Ones(64);
        var first = a.Forward(x).ToArray();
        Assert.Equal(first, b.Forward(x).ToArray());
        Assert.NotEqual(first, a.Forward(x).ToArray());
    }

    [Fact]
    public void Keep_rate_and_inverted_scaling()
    {
        var dropout = new Dropout(0.3f, new Rng(4));
        var y = dropout.Forward(Tensor.Ones(100_000)).ToArray();
        int kept = y.Count(v => v != 0f);
        // σ = √(n·0.7·0.3) ≈ 145.
        Assert.InRange(kept, 70_000 - 600, 70_000 + 600);
        Assert.All(y, v => Assert.True(v == 0f || Math.Abs(v - (1f / 0.7f)) < 1e-6f));
        Assert.InRange(y.Average(), 0.98, 1.02);
    }

    [Fact]
    public void Eval_and_p_zero_are_the_identity_p_one_zeroes()
    {
        var x = GradCheck.Random(1, -1, 1, 3, 4);
        var dropout = new Dropout(0.9f, new Rng(5));
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Same(x, new Dropout(0f, new Rng(5)).Forward(x));
        Assert.All(new Dropout(1f, new Rng(5)).Forward(x).ToArray(), v => Assert.Equal(0f, v));
        Assert.Throws<BulwarkInputException>(() => new Dropout(1.5f, new Rng(5)));
    }

    [Fact]
    public void Gradient_is_the_scaled_mask()
    {
        var x = GradCheck.Random(2, 0.5f, 1f, 200).RequiresGradient();
        var y = new Dropout(0.25f, new Rng(6)).Forward(x);
        var g = Tape.Grad(y.Sum(), [x])[0].ToArray();
        var ys = y.ToArray();
        var xs = x.ToArray();
        for (int i = 0; i < g.Length; i++)
        {
            Assert.Equal(ys[i] / xs[i], g[i], 1e-5f);
        }
    }
}
