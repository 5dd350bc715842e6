using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class NormalizationTests
{
    private static (double[] Mean, double[] BiasedVar) ChannelStats(float[] x, int n, int c, int spatial)
    {
        var mean = new double[c];
        var variance = new double[c];
        int count = n * spatial;
        for (int ch = 0; ch < c; ch++)
        {
            var values = new List<double>();
            for (int i = 0; i < n; i++)
            {
                for (int s = 0; s < spatial; s++)
                {
                    values.Add(x[(((i * c) + ch) * spatial) + s]);
                }
            }
            mean[ch] = values.Average();
            variance[ch] = values.Sum(v => (v - mean[ch]) * (v - mean[ch])) / count;
        }
        return (mean, variance);
    }

    [Fact]
    public void BatchNorm1d_train_normalises_with_batch_stats_and_updates_running_stats()
    {
        var bn = new BatchNorm1d(3);
        var x1 = GradCheck.Random(1, -2, 3, 5, 3);
        var x2 = GradCheck.Random(2, 0, 4, 5, 3);
        var y1 = bn.Forward(x1).ToArray();
        var (m1, v1) = ChannelStats(x1.ToArray(), 5, 3, 1);
        for (int i = 0; i < 5; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                double expected = (x1.ToArray()[(i * 3) + c] - m1[c]) / Math.Sqrt(v1[c] + 1e-5);
                Assert.Equal(expected, y1[(i * 3) + c], 1e-5);
            }
        }
        bn.Forward(x2);
        var (m2, v2) = ChannelStats(x2.ToArray(), 5, 3, 1);
        for (int c = 0; c < 3; c++)
        {
            // Running stats fold in the unbiased variance (× n/(n−1)) with momentum 0.1.
            double rm = (0.9 * ((0.9 * 0) + (0.1 * m1[c]))) + (0.1 * m2[c]);
            double rv = (0.9 * ((0.9 * 1) + (0.1 * v1[c] * 5 / 4))) + (0.1 * v2[c] * 5 / 4);
            Assert.Equal(rm, bn.RunningMean!.ToArray()[c], 1e-6);
            Assert.Equal(rv, bn.RunningVar!.ToArray()[c], 1e-6);
        }
        Assert.Equal(2f, bn.NumBatchesTracked!.Item());

        bn.Eval();
        var x3 = GradCheck.Random(3, -1, 1, 2, 3);
        var y3 = bn.Forward(x3).ToArray();
        for (int i = 0; i < 2; i++)
        {
            for (int c = 0; c < 3; c++)
            {
                double expected = (x3.ToArray()[(i * 3) + c] - bn.RunningMean!.ToArray()[c]) / Math.Sqrt(bn.RunningVar!.ToArray()[c] + 1e-5);
                Assert.Equal(expected, y3[(i * 3) + c], 1e-5);
            }
        }
        Assert.Equal(2f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void BatchNorm1d_matches_PyTorch_after_two_batches_and_in_eval()
    {
        // torch 1.13: bn = BatchNorm1d(2); bn.weight = [2, 0.5]; bn.bias = [1, −1]; two training
        // batches, then eval on the last input; values printed once and pinned here.
        var bn = new BatchNorm1d(2);
        bn.Weight!.CopyFrom_(Tensor.FromArray([2f, 0.5f], 2));
        bn.Bias!.CopyFrom_(Tensor.FromArray([1f, -1f], 2));
        var a = Tensor.FromArray([1f, 2f, 3f, 5f, -1f, 0f, 0.5f, 4f], 4, 2);
        var b = Tensor.FromArray([2f, 1f, 0f, 0f, 4f, 2f], 3, 2);
        var ya = bn.Forward(a).ToArray();
        bn.Forward(b);
        float[] expectedA = [1.1747404f, -1.1952831f, 3.9705865f, -0.4141507f, -1.6211058f, -1.716038f, 0.4757788f, -0.6745281f];
        for (int i = 0; i < 8; i++)
        {
            Assert.Equal(expectedA[i], ya[i], 1e-5f);
        }
        float[] rm = [0.27875f, 0.3475f];
        float[] rv = [1.4556249f, 1.3525f];
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(rm[c], bn.RunningMean!.ToArray()[c], 1e-6f);
            Assert.Equal(rv[c], bn.RunningVar!.ToArray()[c], 1e-6f);
        }
        bn.Eval();
        float[] expectedEval = [3.853302f, -0.7194694f, 0.5379184f, -1.1494014f, 7.1686854f, -0.2895374f];
        var ye = bn.Forward(b).ToArray();
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expectedEval[i], ye[i], 1e-5f);
        }
    }

    [Fact]
    public void BatchNorm2d_statistics_are_per_channel_over_batch_and_space()
    {
        var bn = new BatchNorm2d(2);
        var x = GradCheck.Random(4, -1, 2, 3, 2, 2, 2);
        var y = bn.Forward(x).ToArray();
        var (m, v) = ChannelStats(x.ToArray(), 3, 2, 4);
        var xs = x.ToArray();
        for (int i = 0; i < xs.Length; i++)
        {
            int c = (i / 4) % 2;
            Assert.Equal((xs[i] - m[c]) / Math.Sqrt(v[c] + 1e-5), y[i], 1e-5);
        }
        for (int c = 0; c < 2; c++)
        {
            Assert.Equal(0.1 * m[c], bn.RunningMean!.ToArray()[c], 1e-6);
            Assert.Equal(0.9 + (0.1 * v[c] * 12 / 11), bn.RunningVar!.ToArray()[c], 1e-6);
        }
    }

    [Fact]
    public void BatchNorm_without_momentum_keeps_a_cumulative_average()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        bn.Forward(Tensor.FromArray([1f, 3f], 2, 1));
        bn.Forward(Tensor.FromArray([5f, 7f], 2, 1));
        bn.Forward(Tensor.FromArray([0f, 0f], 2, 1));
        Assert.Equal((2f + 6f + 0f) / 3f, bn.RunningMean!.Item(), 1e-6f);
        Assert.Equal((2f + 2f + 0f) / 3f, bn.RunningVar!.Item(), 1e-6f);
    }

    [Fact]
    public void BatchNorm_rejects_bad_input()
    {
        Assert.Throws<BulwarkInputException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(1, 3)));
        Assert.Throws<BulwarkInputException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(4, 2)));
        Assert.Throws<BulwarkInputException>(() => new BatchNorm2d(3).Forward(Tensor.Zeros(4, 3)));
        Assert.Throws<BulwarkInputException>(() => new BatchNorm1d(0));
        var eval = new BatchNorm1d(3);
        eval.Eval();
        Assert.Equal([1, 3], eval.Forward(Tensor.Zeros(1, 3)).Shape.ToArray());
    }

    [Fact]
    public void BatchNorm_train_mode_gradients()
    {
        var bn1 = new BatchNorm1d(3);
        bn1.Weight!.CopyFrom_(GradCheck.Random(5, 0.5f, 1.5f, 3));
        bn1.Bias!.CopyFrom_(GradCheck.Random(6, -0.5f, 0.5f, 3));
        ModuleGradCheck.Check(bn1, GradCheck.Random(7, -1, 1, 4, 3));
        ModuleGradCheck.Check(new BatchNorm1d(2), GradCheck.Random(8, -1, 1, 3, 2, 2));
        ModuleGradCheck.Check(new BatchNorm2d(2), GradCheck.Random(9, -1, 1, 2, 2, 2, 2));
    }

    [Fact]
    public void BatchNorm_eval_mode_gradient()
    {
        var bn = new BatchNorm2d(2);
        bn.Forward(GradCheck.Random(10, -1, 3, 2, 2, 2, 2));
        bn.Eval();
        ModuleGradCheck.Check(bn, GradCheck.Random(11, -1, 1, 2, 2, 2, 2));
    }

    [Fact]
    public void BatchNorm_second_order_in_train_mode()
    {
        var bn = new BatchNorm1d(2);
        GradCheck.CheckSecondOrder(xs => bn.Forward(xs[0]).Tanh(), [GradCheck.Random(12, -1, 1, 4, 2)]);
    }

    [Fact]
    public void LayerNorm_normalises_each_sample_over_the_trailing_axes()
    {
        var ln = new LayerNorm([2, 3]);
        var x = GradCheck.Random(13, -2, 2, 4, 2, 3);
        var y = ln.Forward(x).ToArray();
        var xs = x.ToArray();
        for (int n = 0; n < 4; n++)
        {
            var sample = xs.Skip(n * 6).Take(6).Select(v => (double)v).ToArray();
            double mean = sample.Average();
            double variance = sample.Sum(v => (v - mean) * (v - mean)) / 6;
            for (int i = 0; i < 6; i++)
            {
                Assert.Equal((sample[i] - mean) / Math.Sqrt(variance + 1e-5), y[(n * 6) + i], 1e-5);
            }
        }
        Assert.Equal(["weight", "bias"], ln.NamedParameters().Select(p => p.Name));
        Assert.Throws<BulwarkInputException>(() => ln.Forward(Tensor.Zeros(4, 3, 2)));
        Assert.Empty(new LayerNorm(3, elementwiseAffine: false).NamedParameters());
    }

    [Fact]
    public void LayerNorm_gradients_wrt_input_weight_and_bias()
    {
        var ln = new LayerNorm(4);
        ln.Weight!.CopyFrom_(GradCheck.Random(14, 0.5f, 1.5f, 4));
        ln.Bias!.CopyFrom_(GradCheck.Random(15, -0.5f, 0.5f, 4));
        ModuleGradCheck.Check(ln, GradCheck.Random(16, -1, 1, 3, 4));
        ModuleGradCheck.Check(new LayerNorm([2, 2]), GradCheck.Random(17, -1, 1, 2, 2, 2));
        GradCheck.CheckSecondOrder(xs => ln.Forward(xs[0]).Square(), [GradCheck.Random(18, -1, 1, 2, 4)]);
    }
}
