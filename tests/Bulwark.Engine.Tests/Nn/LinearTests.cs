using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Nn;

public class LinearTests
{
    [Fact]
    public void Initialisation_is_seeded_and_within_the_fan_in_bound()
    {
        var a = new Linear(16, 8, new Rng(1));
        var b = new Linear(16, 8, new Rng(1));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
        Assert.Equal([8, 16], a.Weight.Shape.ToArray());
        float bound = 1f / MathF.Sqrt(16);
        Assert.All(a.Weight.ToArray(), w => Assert.InRange(w, -bound, bound));
        Assert.All(a.Bias.ToArray(), w => Assert.InRange(w, -bound, bound));
        // U(−b, b) has standard deviation b/√3; 128 draws land well within 30 % of it.
        double std = Math.Sqrt(a.Weight.ToArray().Average(w => (double)w * w));
        Assert.InRange(std, 0.7 * bound / Math.Sqrt(3), 1.3 * bound / Math.Sqrt(3));
        Assert.Null(new Linear(4, 2, new Rng(1), bias: false).Bias);
    }

    [Fact]
    public void Forward_is_x_times_w_transposed_plus_b()
    {
        var layer = new Linear(3, 2, new Rng(5));
        var x = GradCheck.Random(1, -1, 1, 4, 3);
        var w = layer.Weight.ToArray();
        var bias = layer.Bias!.ToArray();
        var y = layer.Forward(x).ToArray();
        var xs = x.ToArray();
        for (int n = 0; n < 4; n++)
        {
            for (int o = 0; o < 2; o++)
            {
                float expected = bias[o];
                for (int i = 0; i < 3; i++)
                {
                    expected += xs[(n * 3) + i] * w[(o * 3) + i];
                }
                Assert.Equal(expected, y[(n * 2) + o], 1e-5f);
            }
        }
        Assert.Throws<BulwarkInputException>(() => layer.Forward(Tensor.Zeros(2, 4)));
    }

    [Fact]
    public void Gradient_wrt_input_weight_and_bias() =>
        ModuleGradCheck.Check(new Linear(3, 4, new Rng(2)), GradCheck.Random(2, -1, 1, 5, 3));

    [Fact]
    public void Gradient_through_a_batched_input() =>
        ModuleGradCheck.Check(new Linear(3, 2, new Rng(3)), GradCheck.Random(3, -1, 1, 2, 4, 3));
}
