using Bulwark.Attacks.Evasion;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Engine;
using Bulwark.Models;

namespace Bulwark.Defenses.Detection;

/// <summary>Options of <see cref="FeatureSqueezingDetector"/>; the defaults are Xu et al.'s joint MNIST detector.</summary>
public sealed record FeatureSqueezingDetectorOptions
{
    /// <summary>The squeezers; null means the paper's MNIST set: 1-bit depth, 2×2 and 3×3 median smoothing.</summary>
    public IReadOnlyList<IInputPreprocessor>? Squeezers { get; init; }

    /// <summary>The share of clean samples the threshold lets be flagged (5 %, as in the paper).</summary>
    public double FalsePositiveRate { get; init; } = 0.05;

    /// <summary>The squeezers to use: <see cref="Squeezers"/>, or the paper's MNIST set.</summary>
    public IReadOnlyList<IInputPreprocessor> ResolvedSqueezers => Squeezers ??
        [new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = 1 }),
         new SpatialSmoothing(new SpatialSmoothingOptions { Window = 2 }),
         new SpatialSmoothing(new SpatialSmoothingOptions { Window = 3 })];
}

/// <summary>How a detector did on clean and adversarial samples.</summary>
/// <param name="Threshold">The score above which a sample is flagged.</param>
/// <param name="FalsePositiveRate">Share of clean samples flagged.</param>
/// <param name="DetectionRate">Share of adversarial samples flagged.</param>
/// <param name="Clean">Clean samples scored.</param>
/// <param name="Adversarial">Adversarial samples scored.</param>
public sealed record DetectionReport(double Threshold, double FalsePositiveRate, double DetectionRate, int Clean, int Adversarial);

/// <summary>
/// The feature-squeezing detector (Xu, Evans &amp; Qi, "Feature Squeezing: Detecting Adversarial
/// Examples in Deep Neural Networks", NDSS 2018). Detects T7 at run time. An input's score is the
/// largest L1 distance between the model's probabilities on the raw input and on each squeezed
/// version, max_s ‖p(x) − p(s(x))‖₁ (in [0, 2]); adversarial examples tend to be fragile under
/// squeezing, clean ones not. <see cref="Calibrate"/> sets the threshold on clean samples so that a
/// chosen share of them is flagged; the detector is immutable afterwards. Needs only
/// probabilities (black box); inputs are [N, ..InputShape].
/// </summary>
public sealed class FeatureSqueezingDetector
{
    private readonly IReadOnlyList<IInputPreprocessor> squeezers;

    private FeatureSqueezingDetector(IClassifier model, IReadOnlyList<IInputPreprocessor> squeezers, double threshold, FeatureSqueezingDetectorOptions options)
    {
        Model = model;
        this.squeezers = squeezers;
        Threshold = threshold;
        Options = options;
    }

    /// <summary>The guarded model.</summary>
    public IClassifier Model { get; }

    /// <summary>The score above which an input is flagged.</summary>
    public double Threshold { get; }

    /// <summary>The options it was calibrated with.</summary>
    public FeatureSqueezingDetectorOptions Options { get; }

    /// <summary>
    /// Scores <paramref name="clean"/> and sets the threshold at the smallest score that at most
    /// <see cref="FeatureSqueezingDetectorOptions.FalsePositiveRate"/> of them exceed.
    /// </summary>
    public static FeatureSqueezingDetector Calibrate(IClassifier model, Tensor clean, FeatureSqueezingDetectorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(clean);
        options ??= new();
        if (!(options.FalsePositiveRate is >= 0 and < 1))
            throw new BulwarkInputException($"feature squeezing detector: the false-positive rate must lie in [0, 1), got {options.FalsePositiveRate}");
        var squeezers = options.ResolvedSqueezers;
        if (squeezers.Count == 0 || squeezers.Any(s => s is null))
            throw new BulwarkInputException("feature squeezing detector: give at least one squeezer, and no null ones");
        if (clean.Rank < 1 || clean.Shape[0] == 0)
            throw new BulwarkInputException("feature squeezing detector: calibration needs at least one clean sample");
        var scores = Score(model, squeezers, clean);
        Array.Sort(scores);
        int keep = (int)Math.Ceiling((1 - options.FalsePositiveRate) * scores.Length - 1e-9);
        double threshold = scores[Math.Clamp(keep - 1, 0, scores.Length - 1)];
        return new FeatureSqueezingDetector(model, squeezers, threshold, options);
    }

    /// <summary>The score of each sample: the largest L1 distance between raw and squeezed probabilities.</summary>
    public double[] Score(Tensor x) => Score(Model, squeezers, x);

    /// <summary>Whether each sample's score exceeds the threshold.</summary>
    public bool[] Detect(Tensor x) => Score(x).Select(s => s > Threshold).ToArray();

    /// <summary>False-positive rate on <paramref name="clean"/> and detection rate on <paramref name="adversarial"/>.</summary>
    public DetectionReport Evaluate(Tensor clean, Tensor adversarial)
    {
        var falseAlarms = Detect(clean);
        var hits = Detect(adversarial);
        return new DetectionReport(Threshold, Rate(falseAlarms), Rate(hits), falseAlarms.Length, hits.Length);
    }

    /// <summary>As <see cref="Evaluate(Tensor, Tensor)"/>, on the samples the attack succeeded on (the paper's convention).</summary>
    public DetectionReport Evaluate(Tensor clean, AttackResult attack)
    {
        ArgumentNullException.ThrowIfNull(attack);
        var rows = Enumerable.Range(0, attack.Success.Length).Where(i => attack.Success[i]).ToArray();
        var adversarial = rows.Length == 0
            ? Tensor.Zeros([0, .. Model.InputShape])
            : Tensor.Concat(rows.Select(i => attack.Adversarial.Slice(0, i, i + 1)).ToArray(), 0);
        return Evaluate(clean, adversarial);
    }

    private static double[] Score(IClassifier model, IReadOnlyList<IInputPreprocessor> squeezers, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.Rank == 0 ? 0 : x.Shape[0];
        var scores = new double[n];
        if (n == 0)
            return scores;
        var raw = model.PredictProba(x).ToArray();
        int classes = model.ClassCount;
        foreach (var squeezer in squeezers)
        {
            var squeezed = model.PredictProba(squeezer.Apply(x, model.Bounds)).ToArray();
            for (int i = 0; i < n; i++)
            {
                double distance = 0;
                for (int c = 0; c < classes; c++)
                    distance += Math.Abs(raw[(i * classes) + c] - squeezed[(i * classes) + c]);
                scores[i] = Math.Max(scores[i], distance);
            }
        }
        return scores;
    }

    private static double Rate(bool[] flags) => flags.Length == 0 ? 0 : flags.Count(f => f) / (double)flags.Length;
}
