namespace Bulwark.Models;

/// <summary>
/// What a black-box model's score output holds, so an adapter can turn it into the
/// probabilities <see cref="IClassifier.PredictProba"/> promises.
/// </summary>
public enum ScoreKind
{
    /// <summary>
    /// Decide from the values of each call: when every row is non-negative and sums to one
    /// (within 1e-3) the scores are probabilities (renormalised to remove rounding), otherwise
    /// they are logits and go through a softmax.
    /// </summary>
    Detect,

    /// <summary>Non-negative scores, each row divided by its sum (unnormalised probabilities allowed).</summary>
    Probabilities,

    /// <summary>Unnormalised log-probabilities: each row goes through a softmax.</summary>
    Logits,
}
