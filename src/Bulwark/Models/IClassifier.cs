using Bulwark.Engine;

namespace Bulwark.Models;

/// <summary>
/// The black-box view of a classifier: everything an attacker behind a prediction API can
/// see. Implementations are thread-compatible, not thread-safe: one caller at a time.
/// </summary>
public interface IClassifier
{
    /// <summary>The shape of one sample, without the batch axis (e.g. [1, 28, 28] or [30]).</summary>
    IReadOnlyList<int> InputShape { get; }

    /// <summary>The number of classes; <see cref="PredictProba"/> returns this many columns.</summary>
    int ClassCount { get; }

    /// <summary>The box valid inputs lie in.</summary>
    InputBounds Bounds { get; }

    /// <summary>
    /// Class probabilities for a batch: input [N, ..InputShape], output [N, ClassCount], rows
    /// summing to one. One call is one query per sample as far as budgets are concerned.
    /// </summary>
    Tensor PredictProba(Tensor batch);
}
