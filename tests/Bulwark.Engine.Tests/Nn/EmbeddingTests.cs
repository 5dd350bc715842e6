using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class EmbeddingTests
{
    [Fact]
    public void Embedding_selects_rows_for_any_index_shape()
    {
        var emb = new Embedding(5, 3, new Rng(1));
        var w = emb.Weight.ToArray();
        var y = emb.Forward(new LongTensor([4, 0, 4, 2], 2, 2));
        Assert.Equal([2, 2, 3], y.Shape.ToArray());
        long[] idx = [4, 0, 4, 2];
        var ys = y.ToArray();
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(w[(int)(idx[i] * 3)..(int)((idx[i] * 3) + 3)], ys[(i * 3)..((i * 3) + 3)]);
        }
        Assert.Equal(ys, emb.Forward(Tensor.FromArray([4f, 0f, 4f, 2f], 2, 2)).ToArray());
        Assert.Throws<BulwarkInputException>(() => emb.Forward(LongTensor.FromValues(5)));
        Assert.Throws<BulwarkInputException>(() => emb.Forward(Tensor.FromArray([1.5f], 1)));
    }

    [Fact]
    public void Embedding_initialises_standard_normal_from_the_generator()
    {
        var emb = new Embedding(100, 50, new Rng(2));
        Assert.Equal(Tensor.Randn(new Rng(2), 100, 50).ToArray(), emb.Weight.ToArray());
        var w = emb.Weight.ToArray();
        Assert.InRange(w.Average(), -0.05, 0.05);
        Assert.InRange(w.Average(v => (double)v * v), 0.93, 1.07);
    }

    [Fact]
    public void Embedding_gradient_accumulates_over_repeated_indices()
    {
        var emb = new Embedding(4, 2, new Rng(3));
        var indices = LongTensor.FromValues(1, 3, 1, 1);
        emb.Forward(indices).Sum().Backward();
        Assert.Equal([0f, 0f, 3f, 3f, 0f, 0f, 1f, 1f], emb.Weight.Grad!.ToArray());
        ModuleGradCheck.Check(_ => emb.Forward(indices), Tensor.Zeros(1), [emb.Weight]);
    }

    [Fact]
    public void EmbeddingBag_sum_and_mean_over_offsets()
    {
        var sum = new EmbeddingBag(6, 2, new Rng(4), EmbeddingBagMode.Sum);
        var mean = new EmbeddingBag(6, 2, new Rng(4));
        var w = sum.Weight.ToArray();
        var indices = LongTensor.FromValues(0, 2, 5, 1, 3, 3);
        var offsets = LongTensor.FromValues(0, 3, 3, 4);
        float Row(int i, int d) => w[(i * 2) + d];
        var s = sum.Forward(indices, offsets).ToArray();
        var m = mean.Forward(indices, offsets).ToArray();
        Assert.Equal(8, s.Length);
        for (int d = 0; d < 2; d++)
        {
            Assert.Equal(Row(0, d) + Row(2, d) + Row(5, d), s[d], 1e-6f);
            Assert.Equal(0f, s[2 + d]);
            Assert.Equal(Row(1, d), s[4 + d], 1e-6f);
            Assert.Equal(2 * Row(3, d), s[6 + d], 1e-6f);
            Assert.Equal((Row(0, d) + Row(2, d) + Row(5, d)) / 3, m[d], 1e-6f);
            Assert.Equal(0f, m[2 + d]);
            Assert.Equal(Row(3, d), m[6 + d], 1e-6f);
        }
    }

    [Fact]
    public void EmbeddingBag_per_sample_weights_and_fixed_length_bags()
    {
        var bag = new EmbeddingBag(4, 3, new Rng(5), EmbeddingBagMode.Sum);
        var w = bag.Weight;
        var weighted = bag.Forward(LongTensor.FromValues(1, 2), LongTensor.FromValues(0), Tensor.FromArray([0.5f, 2f], 2)).ToArray();
        var expected = w.Select(0, 1).Mul(0.5f).Add(w.Select(0, 2).Mul(2f)).ToArray();
        for (int d = 0; d < 3; d++)
        {
            Assert.Equal(expected[d], weighted[d], 1e-6f);
        }
        var fixedBags = bag.Forward(new LongTensor([0, 1, 2, 3], 2, 2)).ToArray();
        var viaOffsets = bag.Forward(LongTensor.FromValues(0, 1, 2, 3), LongTensor.FromValues(0, 2)).ToArray();
        Assert.Equal(viaOffsets, fixedBags);
        Assert.Equal(fixedBags, bag.Forward(Tensor.FromArray([0f, 1f, 2f, 3f], 2, 2)).ToArray());
    }

    [Fact]
    public void EmbeddingBag_rejects_malformed_bags()
    {
        var bag = new EmbeddingBag(4, 2, new Rng(6));
        Assert.Throws<BulwarkInputException>(() => bag.Forward(LongTensor.FromValues(0, 1), LongTensor.FromValues(1)));
        Assert.Throws<BulwarkInputException>(() => bag.Forward(LongTensor.FromValues(0, 1), LongTensor.FromValues(0, 2, 1)));
        Assert.Throws<BulwarkInputException>(() => bag.Forward(LongTensor.FromValues(0, 1), LongTensor.FromValues(0, 3)));
        Assert.Throws<BulwarkInputException>(() => bag.Forward(LongTensor.FromValues(0, 4), LongTensor.FromValues(0)));
        Assert.Throws<BulwarkInputException>(() => bag.Forward(LongTensor.FromValues(0, 1), LongTensor.FromValues(0), Tensor.Ones(2)));
        Assert.Equal([0, 2], bag.Forward(new LongTensor([], 0), new LongTensor([], 0)).Shape.ToArray());
    }

    [Fact]
    public void EmbeddingBag_gradients_wrt_weights_and_per_sample_weights()
    {
        var indices = LongTensor.FromValues(0, 2, 2, 1, 3);
        var offsets = LongTensor.FromValues(0, 2, 2);
        var mean = new EmbeddingBag(4, 3, new Rng(7));
        ModuleGradCheck.Check(_ => mean.Forward(indices, offsets), Tensor.Zeros(1), [mean.Weight]);
        var sum = new EmbeddingBag(4, 3, new Rng(8), EmbeddingBagMode.Sum);
        var psw = GradCheck.Random(9, 0.5f, 2f, 5);
        ModuleGradCheck.Check(p => sum.Forward(indices, offsets, p), psw, [sum.Weight]);
        GradCheck.CheckSecondOrder(xs => sum.Forward(indices, offsets, xs[0]).Square(), [GradCheck.Random(10, 0.5f, 2f, 5)]);
    }

    [Fact]
    public void Only_the_selected_rows_get_gradient()
    {
        var bag = new EmbeddingBag(5, 2, new Rng(11));
        var y = bag.Forward(LongTensor.FromValues(4, 4, 1), LongTensor.FromValues(0, 2));
        var g = Tape.Grad(y.Sum(), [bag.Weight])[0].ToArray();
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f, 0f, 0f, 1f, 1f], g);
    }
}
