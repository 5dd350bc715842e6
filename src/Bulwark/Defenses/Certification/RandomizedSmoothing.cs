using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Certification;

/// <summary>Options of <see cref="RandomizedSmoothing"/>; the defaults are Cohen et al.'s CIFAR-10 and ImageNet experiments.</summary>
public sealed record RandomizedSmoothingOptions
{
    /// <summary>Standard deviation σ of the Gaussian noise, in input units (0.25; the paper also uses 0.12, 0.5, 1.0).</summary>
    public float Sigma { get; init; } = 0.25f;

    /// <summary>CERTIFY's selection samples n₀, which pick the top class (100).</summary>
    public int SelectionSamples { get; init; } = 100;

    /// <summary>CERTIFY's estimation samples n, which bound that class's probability (100,000).</summary>
    public int EstimationSamples { get; init; } = 100_000;

    /// <summary>PREDICT's samples n (the paper reports 100 to 100,000; 10,000 here).</summary>
    public int PredictionSamples { get; init; } = 10_000;

    /// <summary>Failure probability α of both procedures (0.001).</summary>
    public double Alpha { get; init; } = 0.001;

    /// <summary>Noisy copies per call of the base classifier.</summary>
    public int BatchSize { get; init; } = 1_000;

    /// <summary>Seed of the noise; each call of <see cref="RandomizedSmoothing.Predict"/> or <see cref="RandomizedSmoothing.Certify"/> starts from it.</summary>
    public ulong Seed { get; init; }
}

/// <summary>The smoothed classifier's answer for one input: a class with a certified L2 radius, or an abstention.</summary>
/// <param name="Class">The predicted class, or <see cref="Abstain"/>.</param>
/// <param name="Radius">The certified L2 radius σ·Φ⁻¹(p̲A) (0 when abstaining, and for PREDICT).</param>
/// <param name="LowerBound">The Clopper–Pearson lower bound p̲A on the top class's probability (CERTIFY), or the test's p-value (PREDICT).</param>
/// <param name="Count">Noisy samples classified as the top class.</param>
/// <param name="Samples">Noisy samples counted.</param>
public readonly record struct SmoothedPrediction(int Class, double Radius, double LowerBound, int Count, int Samples)
{
    /// <summary>The class value of an abstention.</summary>
    public const int Abstain = -1;

    /// <summary>Whether the smoothed classifier abstained.</summary>
    public bool Abstained => Class == Abstain;
}

/// <summary>
/// Randomised smoothing (Cohen, Rosenfeld &amp; Kolter, "Certified Adversarial Robustness via
/// Randomized Smoothing", ICML 2019). Certifies against T7 in L2. The smoothed classifier
/// g(x) = argmax_c P(f(x + ε) = c), ε ~ N(0, σ²I), is constant within radius σ·Φ⁻¹(p̲A) of x
/// whenever the top class has probability at least p̲A &gt; ½. PREDICT counts the base classifier's
/// votes on n noisy copies and abstains unless the two-sided binomial test of the top two counts
/// rejects a tie at level α; CERTIFY picks the top class on n₀ copies, counts it on n fresh ones,
/// bounds its probability below by Clopper–Pearson at level α, and abstains when p̲A &lt; ½.
/// </summary>
/// <remarks>
/// The base classifier is queried as a black box on [batch, ..InputShape] noisy copies, which are not
/// clipped to the input bounds (as in the paper). It should be trained with the same noise (Gaussian
/// augmentation), or it votes for noise rather than the class. Inputs are [N, ..InputShape].
/// </remarks>
public sealed class RandomizedSmoothing
{
    /// <summary>Smooths <paramref name="baseClassifier"/>.</summary>
    public RandomizedSmoothing(IClassifier baseClassifier, RandomizedSmoothingOptions? options = null)
    {
        BaseClassifier = baseClassifier ?? throw new ArgumentNullException(nameof(baseClassifier));
        Options = options ?? new();
        var o = Options;
        if (!(o.Sigma > 0 && float.IsFinite(o.Sigma)) || o.SelectionSamples < 1 || o.EstimationSamples < 1 || o.PredictionSamples < 1 || o.BatchSize < 1 || !(o.Alpha is > 0 and < 1))
            throw new BulwarkInputException($"randomized smoothing: σ ({o.Sigma}) must be positive, the sample counts ({o.SelectionSamples}, {o.EstimationSamples}, {o.PredictionSamples}) and batch size ({o.BatchSize}) at least 1, α ({o.Alpha}) in (0, 1)");
    }

    /// <summary>The base classifier f.</summary>
    public IClassifier BaseClassifier { get; }

    /// <summary>The options.</summary>
    public RandomizedSmoothingOptions Options { get; }

    /// <summary>PREDICT for every sample of <paramref name="x"/> [N, ..InputShape].</summary>
    public SmoothedPrediction[] Predict(Tensor x)
    {
        var rng = new Rng(Options.Seed);
        return Rows(x).Select(row => FromVotes(Votes(row, Options.PredictionSamples, rng), Options.Alpha)).ToArray();
    }

    /// <summary>CERTIFY for every sample of <paramref name="x"/> [N, ..InputShape].</summary>
    public SmoothedPrediction[] Certify(Tensor x)
    {
        var rng = new Rng(Options.Seed);
        return Rows(x).Select(row =>
        {
            var selection = Votes(row, Options.SelectionSamples, rng);
            int top = ArgMax(selection);
            var estimation = Votes(row, Options.EstimationSamples, rng);
            return FromCount(top, estimation[top], Options.EstimationSamples, Options.Alpha, Options.Sigma);
        }).ToArray();
    }

    /// <summary>
    /// CERTIFY's decision from its counts: p̲A = Clopper–Pearson lower bound of
    /// <paramref name="count"/> in <paramref name="samples"/> at level α; abstain when p̲A &lt; ½,
    /// otherwise <paramref name="topClass"/> with radius σ·Φ⁻¹(p̲A).
    /// </summary>
    public static SmoothedPrediction FromCount(int topClass, int count, int samples, double alpha, double sigma)
    {
        double lower = SmoothingStatistics.ClopperPearsonLower(count, samples, alpha);
        return lower < 0.5
            ? new SmoothedPrediction(SmoothedPrediction.Abstain, 0, lower, count, samples)
            : new SmoothedPrediction(topClass, sigma * SmoothingStatistics.NormalQuantile(lower), lower, count, samples);
    }

    /// <summary>
    /// PREDICT's decision from the vote counts: the top class unless the two-sided binomial test of
    /// its count against the runner-up's, n_A of n_A + n_B at p = ½, has a p-value above α.
    /// </summary>
    public static SmoothedPrediction FromVotes(IReadOnlyList<int> votes, double alpha)
    {
        ArgumentNullException.ThrowIfNull(votes);
        var order = Enumerable.Range(0, votes.Count).OrderByDescending(c => votes[c]).ThenBy(c => c).ToArray();
        int a = votes[order[0]];
        int b = order.Length > 1 ? votes[order[1]] : 0;
        double p = SmoothingStatistics.BinomialTestTwoSided(a, a + b);
        return new SmoothedPrediction(p > alpha ? SmoothedPrediction.Abstain : order[0], 0, p, a, votes.Sum());
    }

    /// <summary>Fraction of samples certified correct at L2 radius at least <paramref name="radius"/> (abstentions count as wrong).</summary>
    public static double CertifiedAccuracy(IReadOnlyList<SmoothedPrediction> certificates, LongTensor labels, double radius)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Size != certificates.Count)
            throw new BulwarkInputException($"{certificates.Count} certificates but {labels.Size} labels");
        if (certificates.Count == 0)
            return 0;
        return certificates.Where((c, i) => c.Class == labels.Data[i] && c.Radius >= radius).Count() / (double)certificates.Count;
    }

    /// <summary>The base classifier's votes on <paramref name="samples"/> noisy copies of one input [1, ..InputShape].</summary>
    private int[] Votes(Tensor row, int samples, Rng rng)
    {
        var votes = new int[BaseClassifier.ClassCount];
        for (int done = 0; done < samples; done += Options.BatchSize)
        {
            int b = Math.Min(Options.BatchSize, samples - done);
            int[] shape = [b, .. BaseClassifier.InputShape];
            var noisy = Tensor.Normal(rng, 0f, Options.Sigma, shape).Add(row);
            foreach (long c in BaseClassifier.PredictProba(noisy).ArgMax(-1).Data)
                votes[c]++;
        }
        return votes;
    }

    private IEnumerable<Tensor> Rows(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shape = BaseClassifier.InputShape;
        if (x.Rank != shape.Count + 1 || !x.Shape[1..].ToArray().SequenceEqual(shape))
            throw new BulwarkInputException($"randomized smoothing: inputs have shape [{string.Join(", ", x.Shape.ToArray())}] but the model takes [N, {string.Join(", ", shape)}]");
        for (int i = 0; i < x.Shape[0]; i++)
            yield return x.Slice(0, i, i + 1).Contiguous();
    }

    private static int ArgMax(int[] votes)
    {
        int best = 0;
        for (int c = 1; c < votes.Length; c++)
            if (votes[c] > votes[best])
                best = c;
        return best;
    }
}
