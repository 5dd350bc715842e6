using Bulwark.Data;

namespace Bulwark.Models;

/// <summary>
/// A training recipe: given data, produce a classifier. Poisoning, shadow models, substitute
/// models and every training-time defence retrain through this interface. Implementations
/// take their seed in their options, so the same data gives the same classifier.
/// </summary>
public interface ILearner
{
    /// <summary>Trains a fresh classifier on <paramref name="data"/>; never mutates it.</summary>
    IClassifier Fit(Dataset data);
}
