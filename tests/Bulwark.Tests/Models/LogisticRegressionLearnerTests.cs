using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;

namespace Bulwark.Tests.Models;

public sealed class LogisticRegressionLearnerTests
{
    private static Dataset SpamSubset => SpamFilters.Spam.Train.Take(300);

    private static float[] Weights(EngineClassifier model) => SpamFilters.LinearOf(model).Weight.ToArray();

    [Fact]
    public void Filters_the_bundled_spam_test_split_with_at_least_95_percent_accuracy()
    {
        // Measured: 97.67 % (293 of 300), 99.92 % on the training split.
        Assert.True(SpamFilters.Accuracy(SpamFilters.Logistic, SpamFilters.Spam.Test) >= 0.95);
    }

    [Fact]
    public void The_same_data_and_seed_give_bit_identical_weights()
    {
        var a = new LogisticRegressionLearner().Fit(SpamSubset);
        var b = new LogisticRegressionLearner().Fit(SpamSubset);
        var c = new LogisticRegressionLearner(new LogisticRegressionOptions { Seed = 1 }).Fit(SpamSubset);
        Assert.Equal(Weights(a), Weights(b));
        Assert.NotEqual(Weights(a), Weights(c));
    }

    [Fact]
    public void The_L2_penalty_shrinks_the_weights()
    {
        static double Norm(float[] w) => Math.Sqrt(w.Sum(v => (double)v * v));
        double free = Norm(Weights(new LogisticRegressionLearner(new LogisticRegressionOptions { L2 = 0 }).Fit(SpamSubset)));
        double penalised = Norm(Weights(new LogisticRegressionLearner(new LogisticRegressionOptions { L2 = 0.01f }).Fit(SpamSubset)));
        Assert.True(penalised < 0.5 * free, $"‖W‖ {penalised:0.###} with λ = 0.01 against {free:0.###} without");
    }

    [Fact]
    public void Image_shaped_samples_are_flattened()
    {
        var rng = new Rng(3);
        var x = Tensor.Uniform(rng, 0f, 1f, 64, 1, 2, 2);
        var values = x.ToArray();
        var y = Enumerable.Range(0, 64).Select(i => values[i * 4] > 0.5f ? 1L : 0L).ToArray();
        var data = new Dataset("pixels", x, new LongTensor(y, 64), 2, new FeatureInfo(FeatureKind.Image, InputBounds.Unit));
        var model = new LogisticRegressionLearner(new LogisticRegressionOptions { Epochs = 200, BatchSize = 64, LearningRate = 0.1f, L2 = 0 }).Fit(data);
        Assert.Equal([1, 2, 2], model.InputShape);
        Assert.True(SpamFilters.Accuracy(model, data) >= 0.9);
    }

    [Fact]
    public void Bad_options_are_input_errors()
    {
        Assert.Throws<BulwarkInputException>(() => new LogisticRegressionLearner(new LogisticRegressionOptions { L2 = -1 }).Fit(SpamSubset));
        Assert.Throws<BulwarkInputException>(() => new LogisticRegressionLearner(new LogisticRegressionOptions { LearningRate = 0 }).Fit(SpamSubset));
        Assert.Throws<BulwarkInputException>(() => new LogisticRegressionLearner(new LogisticRegressionOptions { Epochs = 0 }).Fit(SpamSubset));
    }
}
