using Bulwark.Attacks.Evasion;
using Bulwark.Attacks.Evasion.Adaptive;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Models;

namespace Bulwark.Tests.Defenses.Preprocessing;

/// <summary>The preprocessors' values and gradients against direct computations, and BPDA's contract.</summary>
public sealed class PreprocessingTests
{
    [Fact]
    public void Bit_depth_reduction_rounds_to_the_levels_of_the_bounds()
    {
        var x = Tensor.FromArray([0f, 0.2f, 0.49f, 0.51f, 0.8f, 1f], 1, 6);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f], new FeatureSqueezing().Apply(x, InputBounds.Unit).ToArray());
        var two = new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = 2 }).Apply(x, InputBounds.Unit).ToArray();
        Assert.Equal([0f, 1 / 3f, 1 / 3f, 2 / 3f, 2 / 3f, 1f], two, new FloatTolerance(1e-6f));
        var wide = new FeatureSqueezing().Apply(Tensor.FromArray([-1f, -0.1f, 0.1f, 1f], 1, 4), new InputBounds(-1, 1)).ToArray();
        Assert.Equal([-1f, -1f, 1f, 1f], wide);
        Assert.Throws<BulwarkInputException>(() => new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = 9 }));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Median_filter_matches_a_direct_window_median_with_mirrored_edges(int k)
    {
        var rng = new Rng(5);
        var x = Tensor.Rand(rng, 2, 3, 5, 6);
        var filtered = new SpatialSmoothing(new SpatialSmoothingOptions { Window = k }).Apply(x, InputBounds.Unit).ToArray();
        var v = x.ToArray();
        int before = k / 2;
        for (int img = 0; img < 6; img++)
        {
            for (int r = 0; r < 5; r++)
            {
                for (int c = 0; c < 6; c++)
                {
                    var window = new List<float>();
                    for (int dy = 0; dy < k; dy++)
                        for (int dx = 0; dx < k; dx++)
                            window.Add(v[(img * 30) + (MirrorIndex(r + dy - before, 5) * 6) + MirrorIndex(c + dx - before, 6)]);
                    window.Sort();
                    Assert.Equal(window[k * k / 2], filtered[(img * 30) + (r * 6) + c]);
                }
            }
        }
    }

    [Fact]
    public void Median_filter_routes_each_output_gradient_to_the_pixel_it_selected()
    {
        var x = Tensor.Rand(new Rng(2), 1, 1, 4, 4).RequiresGradient();
        var y = new SpatialSmoothing(new SpatialSmoothingOptions { Window = 3 }).Apply(x, InputBounds.Unit);
        var g = Tape.Grad(y.Sum(), [x])[0].ToArray();
        Assert.Equal(16f, g.Sum(), 4);
        Assert.All(g, e => Assert.Equal(e, MathF.Round(e)));
        Assert.False(new FeatureSqueezing().Apply(x, InputBounds.Unit).RequiresGrad);
    }

    [Fact]
    public void Bpda_keeps_the_forward_value_and_passes_the_approximations_gradient()
    {
        var x = Tensor.FromArray([0.2f, 0.7f, 0.4f], 1, 3).RequiresGradient();
        var through = Bpda.Apply(x, t => t.RoundHalfEven());
        Assert.Equal([0f, 1f, 0f], through.ToArray());
        Assert.Equal([1f, 1f, 1f], Tape.Grad(through.Sum(), [x])[0].ToArray());
        var doubled = Bpda.Apply(x, t => t.RoundHalfEven(), t => t.Mul(2f));
        Assert.Equal([0f, 1f, 0f], doubled.ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal([2f, 2f, 2f], Tape.Grad(doubled.Sum(), [x])[0].ToArray());
    }

    [Fact]
    public void A_preprocessed_model_predicts_on_the_preprocessed_input()
    {
        var model = Attacks.TrainedModels.DigitsCnn();
        var squeezer = new FeatureSqueezing();
        var x = Attacks.TrainedModels.Digits.Test.Features.Slice(0, 0, 20).Contiguous();
        var direct = model.PredictProba(squeezer.Apply(x, model.Bounds)).ToArray();
        Assert.Equal(direct, new PreprocessedClassifier(model, squeezer).PredictProba(x).ToArray());
        Assert.Equal(direct, new PreprocessedClassifier(model, squeezer, PreprocessorGradient.Exact).PredictProba(x).ToArray());
        Assert.IsType<PreprocessedClassifier>(PreprocessedClassifier.Wrap(model, squeezer));
        var noise = new RandomNoise(new RandomNoiseOptions { Sigma = 0.3f, Seed = 4 });
        Assert.True(noise.IsRandomised);
        var a = new RandomNoise(new RandomNoiseOptions { Sigma = 0.3f, Seed = 4 }).Apply(x, model.Bounds).ToArray();
        Assert.Equal(a, noise.Apply(x, model.Bounds).ToArray());
        Assert.All(a, e => Assert.InRange(e, 0f, 1f));
    }

    /// <summary>SciPy's "reflect" boundary: the edge pixel repeated, then mirrored inwards.</summary>
    private static int MirrorIndex(int i, int n) => i < 0 ? -i - 1 : i >= n ? (2 * n) - i - 1 : i;

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;

        public int GetHashCode(float value) => 0;
    }
}
