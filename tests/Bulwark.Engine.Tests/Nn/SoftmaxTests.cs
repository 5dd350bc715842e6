using Bulwark.Engine;

namespace Bulwark.Engine.Tests.Nn;

public class SoftmaxTests
{
    private static double[] ReferenceLogSoftmax(float[] row)
    {
        double max = row.Length == 0 ? 0 : row.Max();
        double logSum = Math.Log(row.Sum(v => Math.Exp(v - max)));
        return row.Select(v => v - max - logSum).ToArray();
    }

    [Fact]
    public void Every_last_axis_length_0_to_256_matches_a_double_reference()
    {
        for (int n = 0; n <= 256; n++)
        {
            var x = GradCheck.Random(n, -20f, 20f, 3, n);
            var soft = x.Softmax().ToArray();
            var logSoft = x.LogSoftmax().ToArray();
            var data = x.ToArray();
            for (int r = 0; r < 3; r++)
            {
                var expected = ReferenceLogSoftmax(data[(r * n)..((r + 1) * n)]);
                for (int i = 0; i < n; i++)
                {
                    // float32 exp/log: a few ulps of the log-probability's magnitude.
                    Assert.Equal(expected[i], logSoft[(r * n) + i], 2e-5 * Math.Max(1, Math.Abs(expected[i])));
                    Assert.Equal(Math.Exp(expected[i]), soft[(r * n) + i], 2e-6);
                }
            }
        }
    }

    [Fact]
    public void A_middle_axis_matches_the_transposed_last_axis()
    {
        var x = GradCheck.Random(4, -5f, 5f, 2, 5, 7);
        var viaLast = x.Transpose(1, 2).Contiguous().Softmax(-1).Transpose(1, 2).Contiguous().ToArray();
        var direct = x.Softmax(1).ToArray();
        for (int i = 0; i < direct.Length; i++)
        {
            Assert.Equal(viaLast[i], direct[i], 1e-6f);
        }
        var logDirect = x.LogSoftmax(1).ToArray();
        for (int i = 0; i < direct.Length; i++)
        {
            Assert.Equal(MathF.Log(viaLast[i]), logDirect[i], 1e-5f);
        }
    }

    [Fact]
    public void Huge_logits_do_not_overflow()
    {
        var x = Tensor.FromArray([1000f, 0f, -1000f, 1e30f], 1, 4);
        var p = x.Softmax().ToArray();
        Assert.Equal([0f, 0f, 0f, 1f], p);
        var lp = Tensor.FromArray([1000f, 0f], 1, 2).LogSoftmax().ToArray();
        Assert.Equal(0f, lp[0]);
        Assert.Equal(-1000f, lp[1]);
    }

    [Fact]
    public void Softmax_gradient_last_and_middle_axis()
    {
        GradCheck.Check(x => x[0].Softmax(), [GradCheck.Random(1, -2, 2, 3, 5)]);
        GradCheck.Check(x => x[0].Softmax(1), [GradCheck.Random(2, -2, 2, 2, 3, 4)]);
    }

    [Fact]
    public void LogSoftmax_gradient_last_and_first_axis()
    {
        GradCheck.Check(x => x[0].LogSoftmax(), [GradCheck.Random(3, -2, 2, 3, 5)]);
        GradCheck.Check(x => x[0].LogSoftmax(0), [GradCheck.Random(4, -2, 2, 4, 3)]);
    }

    [Fact]
    public void Second_order_through_both()
    {
        GradCheck.CheckSecondOrder(x => x[0].Softmax().Square(), [GradCheck.Random(5, -2, 2, 2, 4)]);
        GradCheck.CheckSecondOrder(x => x[0].LogSoftmax(0).Square(), [GradCheck.Random(6, -2, 2, 3, 2)]);
    }
}
