using Bulwark.Assessment.Robustness;
using Bulwark.Attacks.Evasion;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;
using Xunit.Abstractions;

namespace Bulwark.Tests.Defenses.Training;

/// <summary>
/// Adversarial training and TRADES on digits: PGD-20 robust accuracy at ε = 0.15 on the whole test
/// split (359 images) against the standardly trained CNN, and the gradient-masking checks.
/// </summary>
public sealed class AdversarialTrainingTests(ITestOutputHelper output)
{
    private const float Epsilon = 0.15f;

    [Fact]
    public void Pgd_training_raises_robust_accuracy_by_a_large_margin_at_a_small_clean_cost()
    {
        AssertRobustGain("madry", DefendedModels.AdversariallyTrained);
    }

    [Fact]
    public void Trades_raises_robust_accuracy_by_a_large_margin_at_a_small_clean_cost()
    {
        AssertRobustGain("trades", DefendedModels.TradesTrained);
    }

    [Fact]
    public void The_sanity_analysers_pass_on_the_adversarially_trained_model()
    {
        var model = DefendedModels.AdversariallyTrained;
        var (x, y) = TrainedModels.CorrectlyClassified(model, 100);
        var evidence = Evidence(model, x, y);
        var conclusions = SanityAnalysers.Analyse(evidence);
        foreach (var c in conclusions)
            output.WriteLine($"{(c.Passed ? "pass" : "FAIL")} {c.Check}: {c.Message}");
        Assert.Equal(1 + 3 + 1, conclusions.Count);
        Assert.False(SanityAnalysers.LikelyGradientMasking(conclusions));
    }

    [Fact]
    public void Learners_are_deterministic_and_refuse_bad_options()
    {
        var small = TrainedModels.Digits.Train.Take(128);
        var recipe = new TrainingRecipe { Epochs = 1, BatchSize = 64, LearningRate = 3e-3f, Seed = 7 };
        EngineClassifier Train() => new AdversarialTrainingLearner(TrainedModels.DigitsCnnArchitecture,
            new AdversarialTrainingOptions { Epsilon = 0.1f, Steps = 2, StepSize = 0.05f, CleanWeight = 0.5f, Training = recipe }).Fit(small);
        var a = Train().Logits(small.Features).ToArray();
        var b = Train().Logits(small.Features).ToArray();
        Assert.Equal(a, b);
        ILearner trades = new TradesLearner(TrainedModels.DigitsCnnArchitecture, new TradesOptions { Steps = 1, Training = recipe });
        Assert.Equal(10, trades.Fit(small).ClassCount);
        Assert.Throws<BulwarkInputException>(() => new AdversarialTrainingLearner(TrainedModels.DigitsCnnArchitecture, new AdversarialTrainingOptions { CleanWeight = 2 }));
        Assert.Throws<BulwarkInputException>(() => new TradesLearner(TrainedModels.DigitsCnnArchitecture, new TradesOptions { Beta = -1 }));
        Assert.Throws<BulwarkInputException>(() => new TradesLearner(TrainedModels.DigitsCnnArchitecture, new TradesOptions { Training = new TrainingRecipe { Epochs = 0 } }));
    }

    /// <summary>PGD-10 at three budgets, PGD-40 with two restarts at the same budgets, and an unbounded PGD-20.</summary>
    internal static SanityEvidence Evidence(IGradientClassifier model, Tensor x, LongTensor y)
    {
        float[] budgets = [0.05f, 0.1f, 0.2f];
        RobustnessPoint[] Curve(PgdOptions o) => new Pgd(o).RunCurve(model, x, y, budgets).Select(RobustnessPoint.From).ToArray();
        var unbounded = new Pgd(new PgdOptions { Epsilon = model.Bounds.Range, Steps = 20 }).Run(model, x, y);
        return new SanityEvidence
        {
            CleanAccuracy = 1,
            Curve = Curve(new PgdOptions { Steps = 10 }),
            Stronger = Curve(new PgdOptions { Steps = 40, Restarts = 2, Seed = 3 }),
            Unbounded = RobustnessPoint.From(unbounded),
        };
    }

    private void AssertRobustGain(string name, EngineClassifier defended)
    {
        var standard = TrainedModels.DigitsCnn();
        double cleanStandard = DefendedModels.CleanAccuracy(standard);
        double cleanDefended = DefendedModels.CleanAccuracy(defended);
        double robustStandard = DefendedModels.PgdRobustAccuracy(standard, Epsilon);
        double robustDefended = DefendedModels.PgdRobustAccuracy(defended, Epsilon);
        output.WriteLine($"standard: clean {cleanStandard:P1}, PGD-20 ε={Epsilon} {robustStandard:P1}");
        output.WriteLine($"{name}: clean {cleanDefended:P1}, PGD-20 ε={Epsilon} {robustDefended:P1}");
        Assert.True(robustDefended >= robustStandard + 0.30, $"{name}: robust {robustDefended:P1} vs standard {robustStandard:P1}");
        Assert.True(cleanDefended >= cleanStandard - 0.07, $"{name}: clean {cleanDefended:P1} vs standard {cleanStandard:P1}");
    }
}
