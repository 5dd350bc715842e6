using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Autograd;

public class ReductionGradTests
{
    [Fact]
    public void Sum_and_mean_over_any_axes()
    {
        GradCheck.Check(x => x[0].Sum([0, 2]), [GradCheck.Random(1, -1, 1, 2, 3, 4)]);
        GradCheck.Check(x => x[0].Mean([1], keepDim: true).Mul(x[0]), [GradCheck.Random(2, -1, 1, 2, 3, 4)]);
        GradCheck.Check(x => x[0].Transpose(0, 2).Sum([1]), [GradCheck.Random(3, -1, 1, 2, 3, 4)]);
    }

    [Fact]
    public void Variance_and_logsumexp()
    {
        GradCheck.Check(x => x[0].Variance([1]), [GradCheck.Random(1, -1, 1, 3, 5)]);
        GradCheck.Check(x => x[0].LogSumExp(1), [GradCheck.Random(2, -3, 3, 3, 5)]);
    }

    [Fact]
    public void Max_and_topk_route_the_gradient_to_the_chosen_elements()
    {
        GradCheck.Check(x => x[0].Max(1), [Distinct(1, 3, 5)]);
        GradCheck.Check(x => x[0].Min(0, keepDim: true), [Distinct(2, 3, 5)]);
        GradCheck.Check(x => x[0].TopK(2, 1).Values.Square(), [Distinct(3, 2, 6)]);
    }

    [Fact]
    public void Gather_scatter_indexselect()
    {
        var idx = new LongTensor([2, 0, 0, 1, 1, 2], 3, 2);
        GradCheck.Check(x => x[0].Gather(1, idx), [GradCheck.Random(1, -1, 1, 3, 3)]);
        GradCheck.Check(x => x[0].ScatterAdd(1, idx, x[1].Square()), [GradCheck.Random(2, -1, 1, 3, 3), GradCheck.Random(3, -1, 1, 3, 2)]);
        GradCheck.Check(x => x[0].IndexSelect(0, LongTensor.FromValues(2, 0, 2)), [GradCheck.Random(4, -1, 1, 3, 2)]);
    }

    [Fact]
    public void Reductions_match_a_scalar_reference()
    {
        var t = GradCheck.Random(7, -1, 1, 3, 4, 5);
        var s = t.Sum([0, 2]).ToArray();
        for (int j = 0; j < 4; j++)
        {
            double acc = 0;
            for (int i = 0; i < 3; i++)
            {
                for (int k = 0; k < 5; k++)
                {
                    acc += t[i, j, k];
                }
            }
            Assert.Equal(acc, s[j], 4);
        }
        var am = t.ArgMax(2);
        Assert.Equal(new[] { 3, 4 }, am.Shape.ToArray());
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                int best = 0;
                for (int k = 1; k < 5; k++)
                {
                    if (t[i, j, k] > t[i, j, best])
                    {
                        best = k;
                    }
                }
                Assert.Equal(best, am.Data[(i * 4) + j]);
            }
        }
        var (values, indices) = Tensor.FromArray([3, 1, 4, 1, 5, 9, 2, 6], 8).TopK(3);
        Assert.Equal(new float[] { 9, 6, 5 }, values.ToArray());
        Assert.Equal(new long[] { 5, 7, 4 }, indices.Data);
    }

    [Fact]
    public void Out_of_range_indices_are_refused()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Throws<BulwarkInputException>(() => t.Gather(1, new LongTensor([0, 3, 0, 0], 2, 2)));
        Assert.Throws<BulwarkInputException>(() => t.IndexSelect(0, LongTensor.FromValues(-1)));
        Assert.Throws<BulwarkInputException>(() => t.Sum([2]));
    }

    private static Tensor Distinct(int seed, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var perm = Enumerable.Range(0, n).OrderBy(_ => 0).ToArray();
        var rng = new Random(seed);
        rng.Shuffle(perm);
        return Tensor.FromArray(perm.Select(v => (v * 0.37f) - 1f).ToArray(), shape);
    }
}
