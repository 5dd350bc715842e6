using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;

namespace Bulwark.Engine.Tests.Autograd;

public class PerSampleGradientTests
{
    private static Sequential Net(Rng rng) => new(
        new Conv2d(2, 3, 3, rng, stride: 1, padding: 1), new ReLU(), new MaxPool2d(2),
        new Conv2d(3, 4, 3, rng, stride: 2, padding: 1, dilation: 1), new Tanh(),
        new Flatten(), new Linear(4 * 2 * 2, 6, rng), new GELU(), new Linear(6, 3, rng));

    private static (Tensor X, LongTensor Y) Batch(int n)
    {
        var rng = new Rng(7);
        return (Tensor.Uniform(rng, -1, 1, n, 2, 8, 8), new LongTensor(Enumerable.Range(0, n).Select(i => (long)(i % 3)).ToArray(), n));
    }

    [Fact]
    public void Per_sample_gradients_sum_to_the_batch_gradient_and_each_equals_a_batch_of_one()
    {
        var model = Net(new Rng(3));
        var (x, y) = Batch(5);
        var perSample = PerSampleGradients.Compute(model, x, logits => Losses.CrossEntropy(logits, y, reduction: Reduction.None));

        var parameters = model.Parameters().ToList();
        var batchGrads = Tape.Grad(Losses.CrossEntropy(model.Forward(x), y, reduction: Reduction.Sum), parameters);
        Assert.Equal(parameters.Count, perSample.Count);
        for (int k = 0; k < parameters.Count; k++)
        {
            Assert.Same(parameters[k], perSample[k].Parameter);
            AssertClose(batchGrads[k].ToArray(), perSample[k].PerSample.Sum(0).ToArray(), perSample[k].Name + " (sum)");
        }

        for (int i = 0; i < 5; i++)
        {
            var xi = x.Slice(0, i, i + 1);
            var yi = new LongTensor([y.Data[i]], 1);
            var single = Tape.Grad(Losses.CrossEntropy(model.Forward(xi), yi, reduction: Reduction.Sum), parameters);
            for (int k = 0; k < parameters.Count; k++)
            {
                AssertClose(single[k].ToArray(), perSample[k].PerSample.Select(0, i).ToArray(), $"{perSample[k].Name} sample {i}");
            }
        }
    }

    [Fact]
    public void Sequence_inputs_to_linear_layers_sum_over_positions()
    {
        var rng = new Rng(11);
        var model = new Sequential(new Linear(4, 3, rng), new Tanh(), new Linear(3, 2, rng));
        var x = Tensor.Uniform(rng, -1, 1, 3, 5, 4);
        var perSample = PerSampleGradients.Compute(model, x, o => o.Square().Sum([1, 2]));
        var parameters = model.Parameters().ToList();
        for (int i = 0; i < 3; i++)
        {
            var single = Tape.Grad(model.Forward(x.Slice(0, i, i + 1)).Square().Sum(), parameters);
            for (int k = 0; k < parameters.Count; k++)
            {
                AssertClose(single[k].ToArray(), perSample[k].PerSample.Select(0, i).ToArray(), $"{perSample[k].Name} sample {i}");
            }
        }
    }

    [Fact]
    public void Layers_that_mix_samples_are_refused()
    {
        var rng = new Rng(1);
        var model = new Sequential(new Linear(4, 3, rng), new BatchNorm1d(3), new Linear(3, 2, rng));
        var x = Tensor.Uniform(rng, -1, 1, 6, 4);
        var e = Assert.Throws<BulwarkInputException>(() => PerSampleGradients.Compute(model, x, o => o.Sum(1)));
        Assert.Contains("BatchNorm", e.Message, StringComparison.Ordinal);
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 + (1e-4 * Math.Abs(expected[i])), $"{what}[{i}]: {actual[i]} vs {expected[i]}");
        }
    }
}
