using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;

namespace Bulwark.Tests.Models;

public sealed class MultinomialNaiveBayesLearnerTests
{
    private static Dataset Tiny(float[] x, long[] y, int features = 3) =>
        new("tiny", Tensor.FromArray(x, y.Length, features), new LongTensor(y, y.Length), 2, new FeatureInfo(FeatureKind.Text, InputBounds.Unit));

    [Fact]
    public void Filters_the_bundled_spam_test_split_with_at_least_95_percent_accuracy()
    {
        // Measured: 97.67 % (293 of 300).
        Assert.True(SpamFilters.Accuracy(SpamFilters.NaiveBayes, SpamFilters.Spam.Test) >= 0.95);
    }

    [Fact]
    public void Weights_are_the_Laplace_smoothed_log_word_probabilities_and_the_bias_the_log_prior()
    {
        var data = Tiny([2, 0, 1, 1, 0, 0, 0, 3, 1], [0, 0, 1]);
        var model = new MultinomialNaiveBayesLearner().Fit(data);
        var linear = SpamFilters.LinearOf(model);
        // Class 0 sums [3, 0, 1] (total 4), class 1 sums [0, 3, 1]; θ = (sum + 1) / (4 + 3).
        double[] expected = [Math.Log(4 / 7.0), Math.Log(1 / 7.0), Math.Log(2 / 7.0), Math.Log(1 / 7.0), Math.Log(4 / 7.0), Math.Log(2 / 7.0)];
        Assert.Equal(expected, linear.Weight.ToArray().Select(w => (double)w), (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal([Math.Log(2 / 3.0), Math.Log(1 / 3.0)], linear.Bias!.ToArray().Select(b => (double)b), (a, b) => Math.Abs(a - b) < 1e-6);

        // One word of each: the likelihoods cancel and the prior decides, 2 : 1.
        var p = model.PredictProba(Tensor.FromArray([1f, 1f, 0f], 1, 3)).ToArray();
        Assert.Equal(2 / 3.0, p[0], 5);
    }

    [Fact]
    public void Alpha_smooths_towards_uniform_word_probabilities()
    {
        var data = Tiny([2, 0, 1, 1, 0, 0, 0, 3, 1], [0, 0, 1]);
        float Spread(double alpha)
        {
            var w = SpamFilters.LinearOf(new MultinomialNaiveBayesLearner(alpha).Fit(data)).Weight.ToArray();
            return w.Max() - w.Min();
        }
        Assert.True(Spread(100) < Spread(1));
        Assert.True(Spread(1) < Spread(0.01));
    }

    [Fact]
    public void Negative_features_a_missing_class_and_a_bad_alpha_are_input_errors()
    {
        var negative = Assert.Throws<BulwarkInputException>(() => new MultinomialNaiveBayesLearner().Fit(Tiny([1, -1, 0, 0, 1, 0], [0, 1])));
        Assert.Contains("negative feature -1 (sample 0, column 1)", negative.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<BulwarkInputException>(() => new MultinomialNaiveBayesLearner().Fit(Tiny([1, 0, 0, 0, 1, 0], [0, 0])));
        Assert.Contains("no training sample of class 1", missing.Message, StringComparison.Ordinal);
        Assert.Throws<BulwarkInputException>(() => new MultinomialNaiveBayesLearner(0));
        Assert.Throws<BulwarkInputException>(() => new MultinomialNaiveBayesLearner(double.NaN));
    }
}
