using Bulwark.Attacks.Evasion;
using Bulwark.Defenses.Training;
using Bulwark.Engine;
using Bulwark.Models;
using Bulwark.Tests.Attacks;

namespace Bulwark.Tests.Defenses;

/// <summary>
/// Robustly trained digits CNNs the defence tests share, trained once per run with the shared
/// architecture and a recipe cut down to seconds on two cores: ε = 0.15 (L∞), 3 inner steps of
/// 2.5·ε/3, Adam at 3·10⁻³ on batches of 64 for 10 epochs.
/// </summary>
internal static class DefendedModels
{
    /// <summary>The training budget of the shared robust models.</summary>
    public const float TrainEpsilon = 0.15f;

    private static readonly TrainingRecipe Recipe = new() { Epochs = 10, BatchSize = 64, LearningRate = 3e-3f };

    private static readonly Lazy<EngineClassifier> Madry = new(() => new AdversarialTrainingLearner(TrainedModels.DigitsCnnArchitecture,
        new AdversarialTrainingOptions { Epsilon = TrainEpsilon, Steps = 3, StepSize = 2.5f * TrainEpsilon / 3, Training = Recipe })
        .Fit(TrainedModels.Digits.Train));

    private static readonly Lazy<EngineClassifier> Trades = new(() => new TradesLearner(TrainedModels.DigitsCnnArchitecture,
        new TradesOptions { Epsilon = TrainEpsilon, Steps = 3, StepSize = 2.5f * TrainEpsilon / 3, Training = Recipe })
        .Fit(TrainedModels.Digits.Train));

    /// <summary>The digits CNN trained on PGD examples (Madry et al.).</summary>
    public static EngineClassifier AdversariallyTrained => Madry.Value;

    /// <summary>The digits CNN trained with the TRADES loss, β = 6.</summary>
    public static EngineClassifier TradesTrained => Trades.Value;

    /// <summary>Accuracy on the whole digits test split.</summary>
    public static double CleanAccuracy(IClassifier model)
    {
        var test = TrainedModels.Digits.Test;
        var predicted = model.PredictProba(test.Features).ArgMax(-1).Data;
        return predicted.Where((p, i) => p == test.Labels.Data[i]).Count() / (double)test.Count;
    }

    /// <summary>Accuracy on the whole digits test split under PGD-20 (step ε/4, random start) at <paramref name="epsilon"/>.</summary>
    public static double PgdRobustAccuracy(IClassifier model, float epsilon)
    {
        var test = TrainedModels.Digits.Test;
        var r = new Pgd(new PgdOptions { Epsilon = epsilon, Steps = 20, StepSize = epsilon / 4, Seed = 1 }).Run(model, test.Features, test.Labels);
        return 1 - r.SuccessRate;
    }

    /// <summary>Samples [from, from + count) of the digits test split.</summary>
    public static (Tensor X, LongTensor Y) TestSlice(int from, int count)
    {
        var part = TrainedModels.Digits.Test.Subset(Enumerable.Range(from, count).ToArray());
        return (part.Features, part.Labels);
    }
}
