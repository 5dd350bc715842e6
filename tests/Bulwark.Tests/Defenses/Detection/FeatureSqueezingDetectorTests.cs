using Bulwark.Attacks.Evasion;
using Bulwark.Defenses.Detection;
using Bulwark.Defenses.Preprocessing;
using Bulwark.Engine;
using Bulwark.Tests.Attacks;
using Xunit.Abstractions;

namespace Bulwark.Tests.Defenses.Detection;

/// <summary>
/// The feature-squeezing detector on the digits CNN: calibrated at 5 % on 400 training images, its
/// false-positive rate on the 359 held-out test images, and its detection rate on successful
/// C&amp;W-L2 and PGD (L∞, ε = 0.1) examples. The squeezer is a 2-bit depth reduction: the paper's
/// MNIST median filters wipe out the strokes of 8×8 digits (more than 5 % of clean images change
/// class entirely, so the threshold lands near the maximum score of 2 and nothing is detected), and
/// 1 bit is nearly as destructive.
/// </summary>
public sealed class FeatureSqueezingDetectorTests(ITestOutputHelper output)
{
    [Fact]
    public void Clean_false_positives_stay_near_the_chosen_rate_and_attacks_are_detected_above_it()
    {
        var model = TrainedModels.DigitsCnn();
        var calibration = TrainedModels.Digits.Train.Take(400).Features;
        var detector = FeatureSqueezingDetector.Calibrate(model, calibration, new FeatureSqueezingDetectorOptions { Squeezers = [new FeatureSqueezing(new FeatureSqueezingOptions { BitDepth = 2 })] });
        var clean = TrainedModels.Digits.Test.Features;
        var (x, y) = TrainedModels.CorrectlyClassified(model, 40);
        var cw = new CarliniWagnerL2(new CarliniWagnerL2Options { BinarySearchSteps = 5, MaxIterations = 100, LearningRate = 0.05f, InitialConstant = 0.1f }).Run(model, x, y);
        var pgd = new Pgd(new PgdOptions { Epsilon = 0.1f, Steps = 20 }).Run(model, x, y);
        var onCw = detector.Evaluate(clean, cw);
        var onPgd = detector.Evaluate(clean, pgd);
        output.WriteLine($"threshold {detector.Threshold:F3}; FPR on held-out clean {onCw.FalsePositiveRate:P1} (target 5 %)");
        output.WriteLine($"C&W-L2: {onCw.Adversarial} successful examples, detected {onCw.DetectionRate:P1}");
        output.WriteLine($"PGD ε=0.1: {onPgd.Adversarial} successful examples, detected {onPgd.DetectionRate:P1}");
        Assert.InRange(onCw.FalsePositiveRate, 0.0, 0.12);
        Assert.True(onCw.Adversarial >= 30 && onPgd.Adversarial >= 10);
        Assert.True(onCw.DetectionRate >= 0.6, $"C&W detection {onCw.DetectionRate:P1}");
        Assert.True(onPgd.DetectionRate >= 0.5, $"PGD detection {onPgd.DetectionRate:P1}");
    }

    [Fact]
    public void The_threshold_flags_at_most_the_chosen_share_of_the_calibration_set()
    {
        var model = TrainedModels.DigitsCnn();
        var calibration = TrainedModels.Digits.Train.Take(200).Features;
        foreach (double rate in new[] { 0.0, 0.05, 0.2 })
        {
            var detector = FeatureSqueezingDetector.Calibrate(model, calibration, new FeatureSqueezingDetectorOptions { FalsePositiveRate = rate });
            double flagged = detector.Detect(calibration).Count(f => f) / 200.0;
            Assert.InRange(flagged, rate - 0.02, rate);
        }
        var scores = FeatureSqueezingDetector.Calibrate(model, calibration).Score(calibration);
        Assert.All(scores, s => Assert.InRange(s, 0, 2));
        var bitOnly = FeatureSqueezingDetector.Calibrate(model, calibration, new FeatureSqueezingDetectorOptions { Squeezers = [new FeatureSqueezing()] });
        Assert.All(bitOnly.Score(calibration).Zip(scores), p => Assert.True(p.First <= p.Second + 1e-9));
        Assert.Throws<BulwarkInputException>(() => FeatureSqueezingDetector.Calibrate(model, calibration, new FeatureSqueezingDetectorOptions { FalsePositiveRate = 1 }));
    }
}
