using Bulwark.Engine;
using Bulwark.Engine.Autograd;
using Bulwark.Engine.Nn;
using Bulwark.Models;

namespace Bulwark.Tests.Models;

public sealed class EngineClassifierTests
{
    private static EngineClassifier Mlp(int maxBatchSize = 256) =>
        new(Architectures.Mlp(6, [8], 3, new Rng(7)), [6], 3, maxBatchSize: maxBatchSize);

    private static EngineClassifier Cnn() =>
        new(new Sequential(
                new Conv2d(1, 3, 3, new Rng(11), padding: 1), new Tanh(), new AvgPool2d(2),
                new Flatten(), new Linear(3 * 3 * 3, 4, new Rng(12))),
            [1, 6, 6], 4);

    private static Tensor Batch(IClassifier c, int n, ulong seed)
    {
        int[] shape = [n, .. c.InputShape];
        return Tensor.Uniform(new Rng(seed), -1f, 1f, shape);
    }

    /// <summary>Sample i's cross-entropy at label y, or its logit y, computed in double from the classifier's logits.</summary>
    private static double Objective(IGradientClassifier c, float[] sample, long target, bool loss)
    {
        int[] shape = [1, .. c.InputShape];
        var logits = c.Logits(Tensor.FromArray(sample, shape)).ToArray();
        if (!loss)
            return logits[target];
        double max = logits.Max();
        double logSum = Math.Log(logits.Sum(z => Math.Exp(z - max))) + max;
        return logSum - logits[target];
    }

    private static void AssertMatchesFiniteDifferences(IGradientClassifier c, Tensor batch, long[] targets, bool loss)
    {
        var analytic = loss
            ? c.LossGradient(batch, LongTensor.FromValues(targets))
            : c.ClassGradient(batch, LongTensor.FromValues(targets));
        Assert.Equal(batch.Shape.ToArray(), analytic.Shape.ToArray());
        var g = analytic.ToArray();
        var x = batch.ToArray();
        int n = batch.Dim(0), d = x.Length / n;
        const float h = 1e-2f;
        double worst = 0, largest = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                var plus = x.AsSpan(i * d, d).ToArray();
                var minus = (float[])plus.Clone();
                plus[j] += h;
                minus[j] -= h;
                double numeric = (Objective(c, plus, targets[i], loss) - Objective(c, minus, targets[i], loss)) / (2 * h);
                worst = Math.Max(worst, Math.Abs(numeric - g[i * d + j]));
                largest = Math.Max(largest, Math.Abs(numeric));
            }
        }
        Assert.True(largest > 1e-2, "the objective should depend on the input");
        Assert.True(worst < 2e-3 * Math.Max(1, largest), $"largest |finite difference − gradient| {worst} (largest gradient {largest})");
    }

    [Fact]
    public void Mlp_loss_gradient_matches_central_differences()
    {
        var c = Mlp();
        AssertMatchesFiniteDifferences(c, Batch(c, 4, 1), [0, 2, 1, 2], loss: true);
    }

    [Fact]
    public void Mlp_class_gradient_matches_central_differences()
    {
        var c = Mlp();
        AssertMatchesFiniteDifferences(c, Batch(c, 4, 2), [1, 1, 0, 2], loss: false);
    }

    [Fact]
    public void Cnn_loss_gradient_matches_central_differences()
    {
        var c = Cnn();
        AssertMatchesFiniteDifferences(c, Batch(c, 3, 3), [3, 0, 1], loss: true);
    }

    [Fact]
    public void Cnn_class_gradient_matches_central_differences()
    {
        var c = Cnn();
        AssertMatchesFiniteDifferences(c, Batch(c, 3, 4), [2, 3, 0], loss: false);
    }

    [Fact]
    public void PredictProba_is_the_softmax_of_the_logits_and_rows_sum_to_one()
    {
        var c = Cnn();
        var batch = Batch(c, 5, 5);
        var p = c.PredictProba(batch);
        Assert.Equal([5, 4], p.Shape.ToArray());
        var logits = c.Logits(batch).ToArray();
        var probs = p.ToArray();
        for (int i = 0; i < 5; i++)
        {
            var row = logits.AsSpan(i * 4, 4).ToArray();
            double norm = row.Sum(z => Math.Exp(z));
            Assert.Equal(1.0, probs.AsSpan(i * 4, 4).ToArray().Sum(v => (double)v), 5);
            for (int k = 0; k < 4; k++)
                Assert.Equal(Math.Exp(row[k]) / norm, probs[i * 4 + k], 5);
        }
    }

    [Fact]
    public void Batches_larger_than_the_maximum_give_the_same_results_as_one_pass()
    {
        var whole = Mlp();
        var split = Mlp(maxBatchSize: 2);
        var batch = Batch(whole, 5, 6);
        var labels = LongTensor.FromValues(0, 1, 2, 0, 1);
        Assert.Equal(whole.Logits(batch).ToArray(), split.Logits(batch).ToArray());
        Assert.Equal(whole.LossGradient(batch, labels).ToArray(), split.LossGradient(batch, labels).ToArray());
        Assert.Equal(whole.ClassGradient(batch, labels).ToArray(), split.ClassGradient(batch, labels).ToArray());
    }

    [Fact]
    public void Forward_is_differentiable_and_gradients_leave_parameters_alone()
    {
        var c = Mlp();
        var x = Batch(c, 2, 8).RequiresGradient();
        var logits = c.Forward(x);
        Assert.True(logits.RequiresGrad);
        var viaForward = Tape.Grad(Losses.CrossEntropy(logits, LongTensor.FromValues(1, 2), reduction: Reduction.Sum), [x])[0];
        var viaAdapter = c.LossGradient(x.Detach(), LongTensor.FromValues(1, 2));
        Assert.Equal(viaForward.ToArray(), viaAdapter.ToArray());
        Assert.False(viaAdapter.RequiresGrad);
        Assert.All(c.Model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Wrong_shapes_non_finite_values_and_bad_labels_are_input_errors()
    {
        var c = Mlp();
        var shape = Assert.Throws<BulwarkInputException>(() => c.PredictProba(Tensor.Zeros(2, 5)));
        Assert.Contains("[N, 6]", shape.Message, StringComparison.Ordinal);
        Assert.Contains("[2, 5]", shape.Message, StringComparison.Ordinal);
        var values = new float[12];
        values[8] = float.NaN;
        var nan = Assert.Throws<BulwarkInputException>(() => c.Logits(Tensor.FromArray(values, 2, 6)));
        Assert.Contains("sample 1 (element 2)", nan.Message, StringComparison.Ordinal);
        values[8] = float.PositiveInfinity;
        Assert.Throws<BulwarkInputException>(() => c.LossGradient(Tensor.FromArray(values, 2, 6), LongTensor.FromValues(0, 0)));
        var label = Assert.Throws<BulwarkInputException>(() => c.LossGradient(Tensor.Zeros(2, 6), LongTensor.FromValues(0, 3)));
        Assert.Contains("outside [0, 3)", label.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => c.ClassGradient(Tensor.Zeros(2, 6), LongTensor.FromValues(0)));
        Assert.Throws<BulwarkInputException>(() => c.PredictProba(Tensor.Zeros(0, 6)));
    }

    [Fact]
    public void A_model_whose_output_disagrees_with_the_class_count_is_rejected_at_construction()
    {
        var e = Assert.Throws<BulwarkInputException>(() => new EngineClassifier(Architectures.Mlp(6, [4], 3, new Rng(1)), [6], 5));
        Assert.Contains("[1, 3]", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Training_mode_and_no_grad_scopes_are_refused()
    {
        var c = Mlp();
        using (Tape.NoGrad())
        {
            Assert.Throws<InvalidOperationException>(() => c.LossGradient(Tensor.Zeros(1, 6), LongTensor.FromValues(0)));
        }
        c.Model.Train();
        Assert.Throws<InvalidOperationException>(() => c.PredictProba(Tensor.Zeros(1, 6)));
    }
}
