using Bulwark.Data;
using Bulwark.Engine;
using Bulwark.Engine.Nn;

namespace Bulwark.Models;

/// <summary>
/// Multinomial naive Bayes (McCallum &amp; Nigam, "A Comparison of Event Models for Naive Bayes
/// Text Classification", AAAI-98 workshop), the classic statistical spam filter. Features are
/// non-negative word weights (counts, or TF-IDF as sklearn allows); per class c and column j,
/// θ_cj = (N_cj + α) / (N_c + α·D), where N_cj sums column j over the class's training rows and
/// N_c sums all its columns (Laplace smoothing for α = 1), and the prior is the class's share of
/// the rows. Then log P(c | x) = log prior_c + Σ_j x_j · log θ_cj up to a constant, a linear
/// model, so the fit is returned as an <see cref="EngineClassifier"/> over
/// <c>Sequential(Flatten, Linear)</c> with W = log θ and b = log prior: exact, deterministic
/// (no randomness at all) and white-box.
/// </summary>
public sealed class MultinomialNaiveBayesLearner : ILearner
{
    /// <summary>Creates the learner; <paramref name="alpha"/> is the additive smoothing (1 = Laplace).</summary>
    public MultinomialNaiveBayesLearner(double alpha = 1.0)
    {
        if (!(alpha > 0 && double.IsFinite(alpha)))
            throw new BulwarkInputException($"naive Bayes: the smoothing α must be finite and positive, got {alpha}");
        Alpha = alpha;
    }

    /// <summary>The additive smoothing α.</summary>
    public double Alpha { get; }

    /// <summary>Counts <paramref name="data"/> (non-negative features [N, ..]) and returns the fitted model.</summary>
    public EngineClassifier Fit(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int n = data.Count;
        int k = data.ClassCount;
        int d = data.Features.Size / Math.Max(1, n);
        var x = data.Features.AsReadOnlySpan();
        var labels = data.Labels.Data;
        var sums = new double[k * d];
        var rows = new int[k];
        for (int i = 0; i < n; i++)
        {
            int c = (int)labels[i];
            rows[c]++;
            var row = x.Slice(i * d, d);
            var sum = sums.AsSpan(c * d, d);
            for (int j = 0; j < d; j++)
            {
                if (row[j] < 0f)
                    throw new BulwarkInputException($"naive Bayes: dataset '{data.Name}' has the negative feature {row[j]} (sample {i}, column {j}); multinomial naive Bayes needs counts or other non-negative weights");
                sum[j] += row[j];
            }
        }
        var weight = new float[k * d];
        var bias = new float[k];
        for (int c = 0; c < k; c++)
        {
            if (rows[c] == 0)
                throw new BulwarkInputException($"naive Bayes: dataset '{data.Name}' has no training sample of class {c}, so its prior is zero");
            var sum = sums.AsSpan(c * d, d);
            double logTotal = Math.Log(Sum(sum) + (Alpha * d));
            for (int j = 0; j < d; j++)
                weight[(c * d) + j] = (float)(Math.Log(sum[j] + Alpha) - logTotal);
            bias[c] = (float)Math.Log(rows[c] / (double)n);
        }
        var linear = new Linear(d, k, new Rng(0));
        linear.Weight.CopyFrom_(Tensor.FromArray(weight, k, d));
        linear.Bias!.CopyFrom_(Tensor.FromArray(bias, k));
        return new EngineClassifier(new Sequential(new Flatten(), linear), data.SampleShape, k, data.Info.Bounds);
    }

    IClassifier ILearner.Fit(Dataset data) => Fit(data);

    private static double Sum(ReadOnlySpan<double> values)
    {
        double total = 0;
        foreach (double v in values)
            total += v;
        return total;
    }
}
